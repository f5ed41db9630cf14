-- 001: the interchange tables (DESIGN.md §4) plus what the product needs around them.
-- Lists are VARCHAR[]; exact decimal ratios stay text (the draw records "the decimal text used").

CREATE TABLE store_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE TABLE units (
    unit_code VARCHAR PRIMARY KEY,
    unit_name VARCHAR NOT NULL,
    unit_kind VARCHAR CHECK (unit_kind IN ('股室', '专班', '事业单位', '外部门')),
    external BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE items (
    item_code VARCHAR PRIMARY KEY,
    item_name VARCHAR NOT NULL,
    owner_unit VARCHAR REFERENCES units (unit_code),
    category VARCHAR CHECK (category IN ('一般', '重点')),
    target_kind VARCHAR,
    legal_basis VARCHAR,
    min_inspectors INTEGER NOT NULL DEFAULT 2 CHECK (min_inspectors BETWEEN 1 AND 20)
);

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
    closed_on DATE,
    CHECK (closed_on IS NULL OR registered_on IS NULL OR closed_on >= registered_on)
);

CREATE TABLE risk_grades (
    entity_code VARCHAR NOT NULL REFERENCES entities (entity_code),
    period VARCHAR NOT NULL CHECK (regexp_full_match(period, '\d{4}-(0[1-9]|1[0-2])')),
    grade VARCHAR NOT NULL CHECK (grade IN ('AAA', 'AA', 'A', 'B', 'C', 'D')),
    score DOUBLE CHECK (score BETWEEN 0 AND 100),
    system VARCHAR NOT NULL DEFAULT '市场监管',
    PRIMARY KEY (entity_code, period, system)
);

CREATE TABLE inspectors (
    inspector_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL REFERENCES units (unit_code),
    cert_no VARCHAR,
    cert_valid_until DATE,
    specialties VARCHAR[] NOT NULL DEFAULT [],
    active BOOLEAN NOT NULL DEFAULT true
);

CREATE TABLE conflicts (
    inspector_code VARCHAR NOT NULL REFERENCES inspectors (inspector_code),
    entity_code VARCHAR NOT NULL REFERENCES entities (entity_code),
    reason VARCHAR,
    PRIMARY KEY (inspector_code, entity_code)
);

CREATE TABLE checklists (
    item_code VARCHAR NOT NULL REFERENCES items (item_code),
    form_name VARCHAR NOT NULL,
    added_on DATE,
    PRIMARY KEY (item_code, form_name)
);

CREATE TABLE plans (
    plan_code VARCHAR PRIMARY KEY,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    item_code VARCHAR NOT NULL REFERENCES items (item_code),
    unit_code VARCHAR NOT NULL REFERENCES units (unit_code),
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
    plan_code VARCHAR NOT NULL REFERENCES plans (plan_code),
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
    plan_code VARCHAR REFERENCES plans (plan_code),
    task_name VARCHAR NOT NULL,
    item_codes VARCHAR[] NOT NULL DEFAULT [],
    lead_unit VARCHAR NOT NULL REFERENCES units (unit_code),
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
    task_code VARCHAR NOT NULL REFERENCES tasks (task_code),
    entity_code VARCHAR NOT NULL REFERENCES entities (entity_code),
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
    responsible_unit VARCHAR REFERENCES units (unit_code),
    due_on DATE,
    closed_on DATE,
    backfilled_on DATE,
    revisit_on DATE,
    revisit_result VARCHAR CHECK (revisit_result IN ('整改到位', '未到位', '无法核实')),
    PRIMARY KEY (task_code, entity_code),
    FOREIGN KEY (task_code, entity_code) REFERENCES inspections (task_code, entity_code),
    CHECK (backfilled_on IS NULL OR closed_on IS NULL OR backfilled_on >= closed_on)
);

-- Working days (DOMAIN.md §7), filled by dashboard.domain.workdays; SQL reads deadlines from here.
-- workday_seq = number of working days from the first calendar day up to and including `day`, so
-- deadline(d, n) is the working day whose workday_seq = workday_seq(d) + n.
CREATE TABLE calendar (
    day DATE PRIMARY KEY,
    is_workday BOOLEAN NOT NULL,
    workday_seq INTEGER NOT NULL,
    source VARCHAR NOT NULL CHECK (source IN ('official', 'fallback', 'manual'))
);

-- Days the office entered by hand (years chinesecalendar does not cover yet).
CREATE TABLE calendar_overrides (
    day DATE PRIMARY KEY,
    is_workday BOOLEAN NOT NULL,
    note VARCHAR
);

-- The draw ledger (DESIGN.md §6): append-only, refused UPDATE/DELETE by triggers below.
CREATE TABLE draws (
    draw_id VARCHAR PRIMARY KEY,
    chain_pos INTEGER NOT NULL UNIQUE,
    kind VARCHAR NOT NULL DEFAULT 'task' CHECK (kind IN ('task', 'revisit')),
    task_code VARCHAR NOT NULL,
    draw_date DATE NOT NULL,
    operator VARCHAR NOT NULL,
    witnesses VARCHAR,
    public_value VARCHAR NOT NULL,
    pool_hash VARCHAR NOT NULL,
    seed VARCHAR NOT NULL,
    supersedes VARCHAR,
    reason VARCHAR,
    created_at VARCHAR NOT NULL,
    record_json VARCHAR NOT NULL,
    previous_hash VARCHAR NOT NULL,
    record_hash VARCHAR NOT NULL UNIQUE
);

-- The frozen pool of each draw, one row per pool member.
CREATE TABLE draw_pool (
    draw_id VARCHAR NOT NULL REFERENCES draws (draw_id),
    entity_code VARCHAR NOT NULL,
    stratum VARCHAR NOT NULL,
    PRIMARY KEY (draw_id, entity_code)
);

-- Selections and teams of each draw, denormalised from record_json for querying.
CREATE TABLE draw_selections (
    draw_id VARCHAR NOT NULL REFERENCES draws (draw_id),
    entity_code VARCHAR NOT NULL,
    stratum VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    inspector_codes VARCHAR[] NOT NULL DEFAULT [],
    unstaffed BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (draw_id, entity_code)
);

-- Confirmation of a draw's list (DOMAIN.md §1: within 2 working days); append-only too.
CREATE TABLE draw_confirmations (
    draw_id VARCHAR PRIMARY KEY REFERENCES draws (draw_id),
    confirmed_by VARCHAR NOT NULL,
    confirmed_at TIMESTAMP NOT NULL
);

CREATE TABLE append_only_guard (msg VARCHAR);

CREATE TRIGGER draws_no_update AFTER UPDATE ON draws FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('抽取台账只允许追加，不得修改（draws）');
CREATE TRIGGER draws_no_delete AFTER DELETE ON draws FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('抽取台账只允许追加，不得删除（draws）');
CREATE TRIGGER draw_pool_no_update AFTER UPDATE ON draw_pool FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('冻结名单只允许追加，不得修改（draw_pool）');
CREATE TRIGGER draw_pool_no_delete AFTER DELETE ON draw_pool FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('冻结名单只允许追加，不得删除（draw_pool）');
CREATE TRIGGER draw_selections_no_update AFTER UPDATE ON draw_selections FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('抽取结果只允许追加，不得修改（draw_selections）');
CREATE TRIGGER draw_selections_no_delete AFTER DELETE ON draw_selections FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('抽取结果只允许追加，不得删除（draw_selections）');
CREATE TRIGGER draw_confirmations_no_update AFTER UPDATE ON draw_confirmations FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('确认记录只允许追加，不得修改（draw_confirmations）');
CREATE TRIGGER draw_confirmations_no_delete AFTER DELETE ON draw_confirmations FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('确认记录只允许追加，不得删除（draw_confirmations）');

CREATE TABLE users (
    username VARCHAR PRIMARY KEY,
    display_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('admin', 'leader', 'unit', 'readonly')),
    unit_codes VARCHAR[] NOT NULL DEFAULT [],
    password_hash VARCHAR NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    must_change_password BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE audit_seq START 1;
CREATE TABLE audit_log (
    audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    happened_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    table_name VARCHAR,
    record_key VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    detail VARCHAR
);

CREATE SEQUENCE import_seq START 1;
CREATE TABLE import_log (
    import_id BIGINT PRIMARY KEY DEFAULT nextval('import_seq'),
    happened_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    summary VARCHAR NOT NULL,
    warnings INTEGER NOT NULL DEFAULT 0
);

CREATE SEQUENCE saved_query_seq START 1;
CREATE TABLE saved_queries (
    query_id BIGINT PRIMARY KEY DEFAULT nextval('saved_query_seq'),
    name VARCHAR NOT NULL,
    description VARCHAR,
    kind VARCHAR NOT NULL CHECK (kind IN ('pivot', 'sql')),
    spec VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- Settings override dashboard.config defaults; value is JSON text.
CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by VARCHAR
);

-- deadline(d, n) in SQL: the n-th working day strictly after d, read from `calendar` (never recomputed).
CREATE MACRO workday_deadline(d, n) AS (
    SELECT c2.day FROM calendar AS c1
    JOIN calendar AS c2 ON c2.workday_seq = c1.workday_seq + n AND c2.is_workday
    WHERE c1.day = d
);

-- Working days in (a, b], negative when b < a; the SQL twin of domain.workdays.workdays_between.
CREATE MACRO workdays_between(a, b) AS (
    (SELECT workday_seq FROM calendar WHERE day = b) - (SELECT workday_seq FROM calendar WHERE day = a)
);
