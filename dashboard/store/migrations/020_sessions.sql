-- Log-in sessions that survive a reload or a new tab (issue 12): the browser keeps a signed token in a
-- cookie; the row says whether that token still holds (revoked at 退出登录, a password change or reset,
-- a disabled account) and when it was last used (the idle timeout counts from last_seen).
CREATE TABLE IF NOT EXISTS login_sessions (
    session_id VARCHAR PRIMARY KEY,
    username VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason VARCHAR
);
