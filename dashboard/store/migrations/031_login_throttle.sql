-- 031 (issue 13): the lock-out bookkeeping of every user name tried, known or not, so an unknown name
-- is answered (and locked) exactly like a known one; `lockouts` counts lock-outs in a row, each one
-- longer (setting lockout_max_minutes caps it); a successful log-in or an administrator's unlock
-- removes the row.
CREATE TABLE IF NOT EXISTS login_throttle (
    name VARCHAR PRIMARY KEY,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    lockouts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_failed_at TIMESTAMP
);
