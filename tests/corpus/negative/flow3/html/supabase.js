import { createClient } from "@supabase/supabase-js";

// transcripts from deepgram are stored in supabase
export const supabase = createClient("https://xyzcompany.supabase.co", "e3d1629399a64ba44961a9b25e14b45cb4d21c59");
