//! keyhound: a leaked-secret scanner and git pre-commit hook for meeting-bot API
//! credentials (Meetso, MeetStream, Attendee, Zoom, Deepgram).
//!
//! Data flows one way: a source (`source::fs`, `source::git`) yields chunks of bytes, the
//! `detect::Detector` turns them into matches, `source::Chunk::scan` turns matches into
//! `finding::Finding`s, `scan` collects them into a `report::Report`, and a report format
//! renders it.

pub mod baseline;
pub mod bounded;
pub mod config;
pub mod detect;
pub mod dotenv;
pub mod escape;
pub mod finding;
pub mod fixture;
pub mod gate;
pub mod gitleaksignore;
pub mod hook;
pub mod incomplete;
pub mod init;
pub mod prereceive;
pub mod remediate;
pub mod report;
pub mod rules;
pub mod scan;
pub mod size;
pub mod source;
pub mod sweep;
pub mod trust;
