-- 032 (issue 17): each entity's latest grade per grading system, kept with risk_grades by every writer
-- of risk_grades (dashboard.store.grades.refresh_latest_grades, in the writer's transaction), and the
-- latest period per system. Created empty: opening the store fills them from the grades already there
-- (dashboard.store.grades.ensure_latest_grades), with the same query as every refresh. While no grade is newer than the as-of month (the usual case: as of today)
-- the metrics read "the latest grade by T's month" from here instead of an arg_max over the whole grade
-- history (87 M rows at 8 M entities).
CREATE TABLE IF NOT EXISTS risk_grade_latest (
    system VARCHAR NOT NULL,
    entity_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    grade VARCHAR NOT NULL,
    score DOUBLE
);
CREATE TABLE IF NOT EXISTS risk_grade_systems (
    system VARCHAR PRIMARY KEY,
    latest_period VARCHAR NOT NULL
);
