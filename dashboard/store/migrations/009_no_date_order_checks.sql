-- 009: drop the date-order CHECKs of the interchange tables (keys, types, enumerations and ranges stay).
-- Why (DESIGN.md §4 "Errors and warnings"): imported rows are the office's record of what happened. An
-- entry or publication dated before the inspection, a follow-up backfilled before it was closed, a task
-- ending before it starts: these are breaches the dashboard exists to show (基础与质量 lists them), so the
-- store must be able to hold them. The import reports them as warnings; the entry forms keep refusing them
-- for new entries. DuckDB cannot drop a constraint, so the six tables are rebuilt (rows kept in order).

CREATE TEMP TABLE m009_entities AS SELECT * FROM entities;
CREATE TEMP TABLE m009_plans AS SELECT * FROM plans;
CREATE TEMP TABLE m009_plan_changes AS SELECT * FROM plan_changes;
CREATE TEMP TABLE m009_tasks AS SELECT * FROM tasks;
CREATE TEMP TABLE m009_inspections AS SELECT * FROM inspections;
CREATE TEMP TABLE m009_followups AS SELECT * FROM followups;

DROP TABLE followups;
DROP TABLE inspections;
DROP TABLE tasks;
DROP TABLE plan_changes;
DROP TABLE plans;
DROP TABLE entities;

CREATE TABLE entities (
    entity_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    entity_kind VARCHAR,
    town VARCHAR,
    address VARCHAR,
    tags VARCHAR[] NOT NULL DEFAULT [],
    status VARCHAR NOT NULL DEFAULT '存续'
        CHECK (status IN ('存续', '注销', '吊销', '撤销', '迁出', '停业清算')),
    registered_on DATE,
    closed_on DATE
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
    published_on DATE
);

CREATE TABLE plan_changes (
    plan_code VARCHAR,
    changed_on DATE,
    field VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    reason VARCHAR,
    republished_on DATE,
    PRIMARY KEY (plan_code, changed_on, field)
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
        CHECK (status IN ('planned', 'drawn', 'in_progress', 'done', 'voided'))
);

CREATE TABLE inspections (
    task_code VARCHAR,
    entity_code VARCHAR,
    inspectors VARCHAR[] NOT NULL DEFAULT [],
    inspected_on DATE,
    result_codes VARCHAR[] NOT NULL DEFAULT [],
    entered_on DATE,
    published_on DATE,
    note VARCHAR,
    methods VARCHAR[] NOT NULL DEFAULT [],
    item_notes VARCHAR,
    inspector_change_reason VARCHAR,
    entered_by VARCHAR,
    entered_at TIMESTAMP,
    PRIMARY KEY (task_code, entity_code)
);

CREATE TABLE followups (
    task_code VARCHAR,
    entity_code VARCHAR,
    measure_code VARCHAR CHECK (measure_code IN ('1', '2', '3', '4', '5', '6', '9')),
    responsible_unit VARCHAR,
    due_on DATE,
    closed_on DATE,
    backfilled_on DATE,
    revisit_on DATE,
    revisit_result VARCHAR CHECK (revisit_result IN ('整改到位', '未到位', '无法核实')),
    measure_note VARCHAR,
    PRIMARY KEY (task_code, entity_code)
);

INSERT INTO entities SELECT * FROM m009_entities;
INSERT INTO plans SELECT * FROM m009_plans;
INSERT INTO plan_changes SELECT * FROM m009_plan_changes;
INSERT INTO tasks SELECT * FROM m009_tasks;
INSERT INTO inspections SELECT * FROM m009_inspections;
INSERT INTO followups SELECT * FROM m009_followups;

DROP TABLE m009_entities;
DROP TABLE m009_plans;
DROP TABLE m009_plan_changes;
DROP TABLE m009_tasks;
DROP TABLE m009_inspections;
DROP TABLE m009_followups;
