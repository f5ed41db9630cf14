-- 004: drop the FOREIGN KEY constraints of the interchange tables (keys, CHECKs and defaults stay).
-- Why: DuckDB executes every UPDATE of a LIST column as delete + insert, and its foreign-key check then
-- refuses the update of any row that another table references ("key ... is still referenced"), even
-- inside one transaction. So an entity's tags, a task's item_codes or an inspection's result_codes could
-- never change once referenced. References are validated in Python before every write instead
-- (dashboard.ingest.validate for imports); DuckDB cannot drop a constraint, so the tables are rebuilt.

CREATE TEMP TABLE m004_items AS SELECT * FROM items;
CREATE TEMP TABLE m004_risk_grades AS SELECT * FROM risk_grades;
CREATE TEMP TABLE m004_inspectors AS SELECT * FROM inspectors;
CREATE TEMP TABLE m004_conflicts AS SELECT * FROM conflicts;
CREATE TEMP TABLE m004_checklists AS SELECT * FROM checklists;
CREATE TEMP TABLE m004_plans AS SELECT * FROM plans;
CREATE TEMP TABLE m004_plan_changes AS SELECT * FROM plan_changes;
CREATE TEMP TABLE m004_tasks AS SELECT * FROM tasks;
CREATE TEMP TABLE m004_inspections AS SELECT * FROM inspections;
CREATE TEMP TABLE m004_followups AS SELECT * FROM followups;

DROP TABLE followups;
DROP TABLE inspections;
DROP TABLE tasks;
DROP TABLE plan_changes;
DROP TABLE plans;
DROP TABLE checklists;
DROP TABLE conflicts;
DROP TABLE inspectors;
DROP TABLE risk_grades;
DROP TABLE items;

CREATE TABLE items (
    item_code VARCHAR PRIMARY KEY,
    item_name VARCHAR NOT NULL,
    owner_unit VARCHAR,
    category VARCHAR CHECK (category IN ('一般', '重点')),
    target_kind VARCHAR,
    legal_basis VARCHAR,
    min_inspectors INTEGER NOT NULL DEFAULT 2 CHECK (min_inspectors BETWEEN 1 AND 20)
);

CREATE TABLE risk_grades (
    entity_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL CHECK (regexp_full_match(period, '\d{4}-(0[1-9]|1[0-2])')),
    grade VARCHAR NOT NULL CHECK (grade IN ('AAA', 'AA', 'A', 'B', 'C', 'D')),
    score DOUBLE CHECK (score BETWEEN 0 AND 100),
    system VARCHAR NOT NULL DEFAULT '市场监管',
    PRIMARY KEY (entity_code, period, system)
);

CREATE TABLE inspectors (
    inspector_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    cert_no VARCHAR,
    cert_valid_until DATE,
    specialties VARCHAR[] NOT NULL DEFAULT [],
    active BOOLEAN NOT NULL DEFAULT true
);

CREATE TABLE conflicts (
    inspector_code VARCHAR NOT NULL,
    entity_code VARCHAR NOT NULL,
    reason VARCHAR,
    PRIMARY KEY (inspector_code, entity_code)
);

CREATE TABLE checklists (
    item_code VARCHAR NOT NULL,
    form_name VARCHAR NOT NULL,
    added_on DATE,
    PRIMARY KEY (item_code, form_name)
);

CREATE TABLE plans (
    plan_code VARCHAR PRIMARY KEY,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    item_code VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    base_count INTEGER CHECK (base_count >= 0),
    ratio VARCHAR,
    grade_ratios VARCHAR,
    planned_start DATE,
    planned_end DATE,
    joint_units VARCHAR[] NOT NULL DEFAULT [],
    status VARCHAR NOT NULL DEFAULT '草案' CHECK (status IN ('草案', '已发布', '已调整', '已作废')),
    published_on DATE,
    CHECK (planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start)
);

CREATE TABLE plan_changes (
    plan_code VARCHAR NOT NULL,
    changed_on DATE NOT NULL,
    field VARCHAR NOT NULL,
    old_value VARCHAR,
    new_value VARCHAR,
    reason VARCHAR,
    republished_on DATE,
    PRIMARY KEY (plan_code, changed_on, field),
    CHECK (republished_on IS NULL OR republished_on >= changed_on)
);

CREATE TABLE tasks (
    task_code VARCHAR PRIMARY KEY,
    plan_code VARCHAR,
    task_name VARCHAR NOT NULL,
    item_codes VARCHAR[] NOT NULL DEFAULT [],
    lead_unit VARCHAR NOT NULL,
    partner_units VARCHAR[] NOT NULL DEFAULT [],
    joint_kind VARCHAR NOT NULL DEFAULT 'none' CHECK (joint_kind IN ('none', 'internal', 'cross')),
    source VARCHAR NOT NULL DEFAULT 'plan' CHECK (source IN ('plan', 'adhoc', 'dispatched')),
    uses_risk_grades BOOLEAN NOT NULL DEFAULT false,
    start_on DATE,
    end_on DATE,
    status VARCHAR NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'drawn', 'in_progress', 'done', 'voided')),
    CHECK (end_on IS NULL OR start_on IS NULL OR end_on >= start_on)
);

CREATE TABLE inspections (
    task_code VARCHAR NOT NULL,
    entity_code VARCHAR NOT NULL,
    inspectors VARCHAR[] NOT NULL DEFAULT [],
    inspected_on DATE,
    result_codes VARCHAR[] NOT NULL DEFAULT [],
    entered_on DATE,
    published_on DATE,
    note VARCHAR,
    PRIMARY KEY (task_code, entity_code),
    CHECK (entered_on IS NULL OR inspected_on IS NULL OR entered_on >= inspected_on),
    CHECK (published_on IS NULL OR inspected_on IS NULL OR published_on >= inspected_on)
);

CREATE TABLE followups (
    task_code VARCHAR NOT NULL,
    entity_code VARCHAR NOT NULL,
    measure_code VARCHAR CHECK (measure_code IN ('1', '2', '3', '4', '5', '6', '9')),
    responsible_unit VARCHAR,
    due_on DATE,
    closed_on DATE,
    backfilled_on DATE,
    revisit_on DATE,
    revisit_result VARCHAR CHECK (revisit_result IN ('整改到位', '未到位', '无法核实')),
    PRIMARY KEY (task_code, entity_code),
    CHECK (backfilled_on IS NULL OR closed_on IS NULL OR backfilled_on >= closed_on)
);

INSERT INTO items SELECT * FROM m004_items;
INSERT INTO risk_grades SELECT * FROM m004_risk_grades;
INSERT INTO inspectors SELECT * FROM m004_inspectors;
INSERT INTO conflicts SELECT * FROM m004_conflicts;
INSERT INTO checklists SELECT * FROM m004_checklists;
INSERT INTO plans SELECT * FROM m004_plans;
INSERT INTO plan_changes SELECT * FROM m004_plan_changes;
INSERT INTO tasks SELECT * FROM m004_tasks;
INSERT INTO inspections SELECT * FROM m004_inspections;
INSERT INTO followups SELECT * FROM m004_followups;

DROP TABLE m004_items;
DROP TABLE m004_risk_grades;
DROP TABLE m004_inspectors;
DROP TABLE m004_conflicts;
DROP TABLE m004_checklists;
DROP TABLE m004_plans;
DROP TABLE m004_plan_changes;
DROP TABLE m004_tasks;
DROP TABLE m004_inspections;
DROP TABLE m004_followups;
