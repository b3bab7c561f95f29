//! Error type shared by every git-access function, with context naming the object, path or revision involved.

use std::path::PathBuf;

use gix::ObjectId;

/// A boxed error from gix or the OS, kept as the `source` of a [`GitError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while reading a git repository.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The path is not a git repository, or it could not be opened.
    #[error("cannot open git repository at {path}")]
    Open {
        /// The path that was given.
        path: PathBuf,
        /// Why opening failed.
        #[source]
        source: BoxError,
    },
    /// A file or directory of the repository could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An object that must exist is missing from the object database.
    #[error("object {id} is missing")]
    MissingObject {
        /// The missing object.
        id: ObjectId,
    },
    /// An object exists but is of another kind than the one needed.
    #[error("object {id} is a {actual}, expected a {expected}")]
    ObjectKind {
        /// The object.
        id: ObjectId,
        /// The kind that was needed.
        expected: gix::object::Kind,
        /// The kind the object has.
        actual: gix::object::Kind,
    },
    /// A revision specification could not be resolved to a single object.
    #[error("cannot resolve revision {rev:?}")]
    Revision {
        /// The specification, e.g. `origin/main` or `HEAD~3`.
        rev: String,
        /// Why it failed.
        #[source]
        source: BoxError,
    },
    /// Any other failure reported by gix, with a sentence saying what was being done.
    #[error("{context}")]
    Gix {
        /// What was being done, naming the object, reference or file involved.
        context: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
}

/// Attaches a context sentence to any error, turning it into [`GitError::Gix`].
pub(crate) trait ResultExt<T> {
    /// Converts the error, calling `context` only on failure.
    fn context<C: Into<String>>(self, context: impl FnOnce() -> C) -> Result<T, GitError>;
}

impl<T, E: Into<BoxError>> ResultExt<T> for Result<T, E> {
    fn context<C: Into<String>>(self, context: impl FnOnce() -> C) -> Result<T, GitError> {
        self.map_err(|err| GitError::Gix {
            context: context().into(),
            source: err.into(),
        })
    }
}

/// Renders an error with all its sources, `outer: inner: innermost`, for warnings kept as text.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(err) = source {
        let text = err.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = err.source();
    }
    out
}
