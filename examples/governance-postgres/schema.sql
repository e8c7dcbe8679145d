-- The governance pack's data model (examples/governance/README.md) as
-- PostgreSQL tables, for the PostgreSQL source in resources.yaml.
--
-- The source makes one node per row, labelled with the table name as
-- PostgreSQL stores it, with one property per non-null column named as the
-- column is stored. Quoted identifiers keep their case, so "ToolCall" is the
-- label ToolCall and "trustScore" the property trustScore: the pack's
-- queries run on these tables unchanged. (An unquoted name is folded to
-- lower case: CREATE TABLE ToolCall would be the label toolcall.)
--
-- Every table has a primary key: logical replication needs one to identify
-- the rows of updates and deletes, and the source refuses a table without.
-- A node's element id is "Table:key" (ToolCall:call-1); the queries read
-- the id column, not the element id.
--
-- The relations are not tables but synthetic joins on the columns, which a
-- query that reads them declares (spec.sources.joins):
-- MADE is "Agent".id = "ToolCall".agent, UNDER is "ToolCall".policy =
-- "Policy".id. There are no foreign keys, so a call may be written before
-- its agent or policy, as over HTTP.
--
-- The sliding windows (slo-burn-*, policy-denials, critical-policy-trip,
-- runaway-loops) slide on the change time, which for this source is the
-- transaction's commit time: write each call when it happens, with "at"
-- the time of the call (the default now() is the transaction's start).
--
--   psql -h 127.0.0.1 -U postgres -d test -f examples/governance-postgres/schema.sql

-- Agent: one row per agent; a positive signal updates "trustScore" and
-- "lastPositiveAt" (trust-decay restarts from it).
CREATE TABLE IF NOT EXISTS "Agent" (
    id               text PRIMARY KEY,
    name             text NOT NULL,
    sponsor          text,                  -- the owning team (cascade groups by it)
    ring             integer,               -- the execution ring, 0..3
    "trustScore"     integer,               -- 0..1000
    "lastPositiveAt" timestamptz            -- the last positive trust signal
);

-- ToolCall: one row per tool call (insert-only in the usual case).
CREATE TABLE IF NOT EXISTS "ToolCall" (
    id          text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    agent       text NOT NULL,              -- "Agent".id (MADE)
    session     text,
    tool        text NOT NULL,
    decision    text NOT NULL CHECK (decision IN ('allow', 'deny')),
    policy      text,                       -- "Policy".id (UNDER); the policy that decided
    severity    text,
    outcome     text CHECK (outcome IN ('ok', 'error')),
    "latencyMs" integer,
    "costUsd"   double precision,
    "at"        timestamptz NOT NULL DEFAULT now()
);

-- Policy: critical = true makes one denial trip critical-policy-trip.
CREATE TABLE IF NOT EXISTS "Policy" (
    id       text PRIMARY KEY,
    name     text NOT NULL,
    critical boolean NOT NULL DEFAULT false
);

-- Slo: agent is an agent's id or '*' for every agent; "window" is an ISO 8601
-- duration as text ('P30D'), which the queries read with duration(). (window
-- is a reserved word in PostgreSQL, hence the quotes.)
CREATE TABLE IF NOT EXISTS "Slo" (
    id       text PRIMARY KEY,
    agent    text NOT NULL DEFAULT '*',
    target   double precision NOT NULL CHECK (target > 0 AND target < 1),
    "window" text NOT NULL DEFAULT 'P30D'
);

-- Heartbeat: one row per agent, updated on every beat:
--   INSERT INTO "Heartbeat" (agent, "at") VALUES ('agent-7', now())
--   ON CONFLICT (agent) DO UPDATE SET "at" = excluded."at";
CREATE TABLE IF NOT EXISTS "Heartbeat" (
    agent text PRIMARY KEY,
    "at"  timestamptz NOT NULL DEFAULT now()
);
