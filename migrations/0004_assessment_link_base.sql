-- The URL an assessment's links start with, taken from the request that
-- sent it (an authenticated sender), so links made later from a candidate's
-- request never take that request's Host header.
ALTER TABLE assessments ADD COLUMN link_base TEXT;
