-- Agent-governance data as an application would keep it in PostgreSQL.
-- Vigil follows these tables through logical replication (make services
-- enables it); every table needs a primary key.
CREATE TABLE IF NOT EXISTS agents (
    id        text PRIMARY KEY,
    name      text NOT NULL,
    team      text NOT NULL,
    trust     integer NOT NULL DEFAULT 100,      -- 0..100, decays with denials
    last_seen timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS tool_calls (
    id         bigserial PRIMARY KEY,
    agent_id   text NOT NULL REFERENCES agents (id),
    tool       text NOT NULL,
    decision   text NOT NULL CHECK (decision IN ('allow', 'deny')),
    cost_usd   numeric(10, 4) NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
