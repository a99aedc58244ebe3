-- Project-management SaaS schema of the scale-seed recipe (PostgreSQL dialect).
-- seedbed transpiles it for other databases.
--
-- organizations.slug is deliberately not unique: several seeded datasets
-- (one per seed) live side by side, each found by slug and plan_metadata's seed.
-- Every table S1's verification queries count by organization carries organization_id
-- (s1_verification.sql beside this file runs on it verbatim).

CREATE TYPE task_status AS ENUM ('backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done', 'cancelled');

CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name varchar(200) NOT NULL,
    slug varchar(120) NOT NULL,
    plan_metadata jsonb NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX organizations_slug_idx ON organizations (slug);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    email varchar(320) NOT NULL,
    full_name varchar(200) NOT NULL,
    job_title varchar(120),
    timezone varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE user_organizations (
    user_id uuid NOT NULL REFERENCES users (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    role varchar(20) NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);

CREATE TABLE workspaces (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar(200) NOT NULL,
    slug varchar(120) NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT workspaces_org_slug_key UNIQUE (organization_id, slug)
);

CREATE TABLE workspace_members (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    user_id uuid NOT NULL REFERENCES users (id),
    role varchar(20) NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    weekly_capacity_hours integer NOT NULL CHECK (weekly_capacity_hours BETWEEN 0 AND 60),
    joined_at timestamptz NOT NULL,
    CONSTRAINT workspace_members_workspace_user_key UNIQUE (workspace_id, user_id)
);

CREATE TABLE projects (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar(200) NOT NULL,
    code varchar(16) NOT NULL,
    status varchar(20) NOT NULL CHECK (status IN ('planned', 'active', 'on_hold', 'completed', 'archived')),
    budget numeric(14, 2) NOT NULL CHECK (budget >= 0),
    start_date date NOT NULL,
    target_end_date date NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT projects_dates_check CHECK (target_end_date > start_date)
);

CREATE TABLE work_tasks (
    id uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    assignee_id uuid REFERENCES users (id),
    title varchar(300) NOT NULL,
    status task_status NOT NULL,
    priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
    rank integer NOT NULL,
    estimate_hours numeric(6, 1),
    start_date date NOT NULL,
    due_date date NOT NULL,
    completed_at timestamptz,
    created_at timestamptz NOT NULL,
    CONSTRAINT work_tasks_project_rank_key UNIQUE (project_id, rank),
    CONSTRAINT work_tasks_due_check CHECK (due_date >= start_date)
);

CREATE TABLE work_task_dependencies (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    project_id uuid NOT NULL REFERENCES projects (id),
    predecessor_task_id uuid NOT NULL REFERENCES work_tasks (id),
    successor_task_id uuid NOT NULL REFERENCES work_tasks (id),
    dependency_type varchar(2) NOT NULL CHECK (dependency_type IN ('FS', 'SS', 'FF', 'SF')),
    lag_days integer NOT NULL,
    CONSTRAINT work_task_dependencies_pair_key UNIQUE (predecessor_task_id, successor_task_id),
    CONSTRAINT work_task_dependencies_no_self CHECK (predecessor_task_id <> successor_task_id)
);

CREATE TABLE schedule_baselines (
    id uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar(120) NOT NULL,
    captured_at timestamptz NOT NULL
);

CREATE TABLE schedule_baseline_items (
    id uuid PRIMARY KEY,
    baseline_id uuid NOT NULL REFERENCES schedule_baselines (id),
    task_id uuid NOT NULL REFERENCES work_tasks (id),
    planned_start date NOT NULL,
    planned_finish date NOT NULL,
    CONSTRAINT schedule_baseline_items_key UNIQUE (baseline_id, task_id),
    CONSTRAINT schedule_baseline_items_dates CHECK (planned_finish >= planned_start)
);

CREATE TABLE earned_value_snapshots (
    id uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    snapshot_date date NOT NULL,
    planned_value numeric(14, 2) NOT NULL,
    earned_value numeric(14, 2) NOT NULL,
    actual_cost numeric(14, 2) NOT NULL,
    CONSTRAINT earned_value_snapshots_key UNIQUE (project_id, snapshot_date)
);

CREATE TABLE workspace_member_capacity (
    id uuid PRIMARY KEY,
    workspace_member_id uuid NOT NULL REFERENCES workspace_members (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    week_start date NOT NULL,
    capacity_hours numeric(5, 1) NOT NULL CHECK (capacity_hours >= 0),
    allocated_hours numeric(5, 1) NOT NULL CHECK (allocated_hours >= 0),
    CONSTRAINT workspace_member_capacity_key UNIQUE (workspace_member_id, week_start)
);

CREATE TABLE attachments (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    task_id uuid REFERENCES work_tasks (id),
    uploaded_by uuid NOT NULL REFERENCES users (id),
    file_name varchar(255) NOT NULL,
    content_type varchar(100) NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    status varchar(16) NOT NULL CHECK (status IN ('uploaded', 'pending', 'failed', 'deleted')),
    created_at timestamptz NOT NULL
);

CREATE TABLE workspace_storage_usage (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    used_bytes bigint NOT NULL CHECK (used_bytes >= 0),
    reserved_bytes bigint NOT NULL CHECK (reserved_bytes >= 0),
    updated_at timestamptz NOT NULL
);

CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    actor_id uuid NOT NULL REFERENCES users (id),
    entity_type varchar(32) NOT NULL,
    entity_id uuid NOT NULL,
    action varchar(32) NOT NULL,
    occurred_at timestamptz NOT NULL,
    ip_address inet,
    details jsonb NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id);

-- S1's verification queries filter by organization: the tenant column is indexed where it is big
CREATE INDEX work_tasks_org_idx ON work_tasks (organization_id);
CREATE INDEX work_task_dependencies_org_idx ON work_task_dependencies (organization_id, project_id);
CREATE INDEX attachments_org_idx ON attachments (organization_id);
CREATE INDEX audit_events_org_idx ON audit_events (organization_id);
