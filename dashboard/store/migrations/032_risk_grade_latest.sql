-- 032 (issue 17): each entity's latest grade per grading system, kept with risk_grades by every writer
-- of risk_grades (dashboard.store.grades.refresh_latest_grades, in the writer's transaction), and the
-- latest period per system. While no grade is newer than the as-of month (the usual case: as of today)
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
INSERT INTO risk_grade_latest (system, entity_code, period, grade, score)
SELECT system, entity_code, latest.period, latest.grade, latest.score
FROM (
    SELECT system, entity_code,
        arg_max({'period': period, 'grade': grade, 'score': score}, period) AS latest
    FROM risk_grades
    GROUP BY system, entity_code
);
INSERT INTO risk_grade_systems (system, latest_period)
SELECT system, max(period) FROM risk_grades GROUP BY system;
