CREATE TABLE api_keys (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  key_sha256  char(64) NOT NULL UNIQUE,   -- Meetso stores only the SHA-256 of a key
  key_prefix  text NOT NULL,              -- e.g. 'mts_live_'
  created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO api_keys (name, key_sha256, key_prefix) VALUES
  ('ci', 'eeeb2de760f7c397f1ce1215e2799fe713192dd2d854dc43fbe2ced62b2e4a02', 'mts_live_'),
  ('warehouse', '6f08524d1a77cf52e3435bf28e1dbeacacc45eee0625e2e902742359a9b440bc', 'mts_live_');
