# Strings that look like keys but are not: wrong length, glued to identifiers, wrong alphabet.
TOO_LONG = "mts_live_XYBElpf6ynX06wMGYz27YkFH9P0iowzSsF7nk6HHTxEz61E0ny0jtzxWGfh7hngLTG5nZ4"  # 70-char body
TOO_LONG_65 = "mts_live_mi7gDGGWCh1LUWYRuUqidKkaSyoAZGp7OfU4k2bDqtIEsH1FAp4wlVzhU7c8c4xtb"
TOO_SHORT = "mts_live_WsvD10RBzI6XEkYAaILsNJO"
GLUED = "mts_live_8LbDD5RSbdKSWUQ9hi9V4WdLDahK7XyhDSF_staging"
GLUED_TEST = "mts_test_arsP8Doz7ft99vEOyjuFZXBvmdQ599uLTZs_v2"
MS_SHORT = "ms_y8TC9mfKMwx76Hd2dcjaXMldlXXr5x4"
MS_LONG = "ms_0KpZq5uFt8xofJR2N1qYWG3pnQe2vYsFy"
MS_NO_UPPER = "ms_63ng5t8x5bdla6lfu1j5adh5neecm43u"
MS_GLUED_AFTER = "ms_o0g3leN0QTaekSoyr1JRljs7EsOvx0Ji_old"
MS_GLUED_BEFORE = "xms_VZnbfQczmHTXGqch8Y2sdCeRrzrv2Gh4"
ROOMS = "rooms_eH2WaI7akVbCRoPMRGohXWozlL4bG5kl"
ITEMS_CACHE_KEY = "items_s6JsYOh93ohmfKuNfH9TzkfARCM3m5O9"
