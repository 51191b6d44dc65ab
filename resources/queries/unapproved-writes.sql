-- The seed's "Detect write actions executed without approval", in SQLite.
-- Postgres' NOW() - INTERVAL '10 minutes' becomes strftime(..., 'now', '-10 minutes');
-- event_time is stored as ISO-8601 UTC text, so the comparison is a string comparison.
SELECT event_time, actor_id, server_name, tool_name, decision, approval_id
FROM mcp_audit
WHERE action_class = 'write'
  AND decision = 'ALLOW'
  AND (approval_id IS NULL OR approval_id = '')
  AND event_time >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 minutes')
ORDER BY event_time DESC;
