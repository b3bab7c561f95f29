-- dev seed data; loaded by `make db-seed`
INSERT INTO integrations (org_id, provider, api_key, created_at) VALUES
  (1, 'meetso', 'mts_live_cefLI3VSIIJUrkqPCxftDQGAx0EKg2PBfFj', now()),
  (1, 'meetstream', 'ms_xy1tWXnyMUwyJzsLp4S7y33VwGtBg1Zz', now()),
  (2, 'meetso', 'mts_live_...', now());
