-- The okr-tenant recipe (seed system S3): one OKR tenant - its workspaces, teams, 200 people,
-- four quarterly cycles, strategic pillars, objectives at tenant, workspace and team scope,
-- key results, initiatives, check-ins and role assignments. Written for PostgreSQL and
-- transpiled by seedbed for SQLite and MySQL/MariaDB.
-- Every id is a UUIDv5 over the entity's natural key, so a tenant's ids are the same whoever
-- seeds it and whenever.

CREATE TABLE organisations (
    id uuid PRIMARY KEY,
    slug varchar(100) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    timezone varchar(64) NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE workspaces (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    slug varchar(100) NOT NULL,
    name varchar(200) NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (organisation_id, slug)
);

CREATE TABLE teams (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    slug varchar(100) NOT NULL,
    name varchar(200) NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (workspace_id, slug)
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    team_id uuid REFERENCES teams (id),
    manager_id uuid REFERENCES users (id),
    email varchar(320) NOT NULL UNIQUE,
    full_name varchar(200) NOT NULL,
    role varchar(20) NOT NULL CHECK (role IN ('admin', 'lead', 'manager', 'member')),
    created_at timestamptz NOT NULL
);
CREATE INDEX users_manager_idx ON users (manager_id);

CREATE TABLE cycles (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    name varchar(40) NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    starts_at timestamptz NOT NULL,  -- local midnight of starts_on, as an instant
    UNIQUE (organisation_id, name),
    CHECK (ends_on > starts_on)
);

CREATE TABLE strategic_pillars (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    name varchar(200) NOT NULL,
    description varchar(1000),
    UNIQUE (organisation_id, name)
);

-- no unique constraint over the natural key: seeding finds an objective by its id (the
-- UUIDv5 of organisation:scope type:scope:cycle:title) before it creates one
CREATE TABLE objectives (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    cycle_id uuid NOT NULL REFERENCES cycles (id),
    pillar_id uuid REFERENCES strategic_pillars (id),
    scope_type varchar(20) NOT NULL CHECK (scope_type IN ('tenant', 'workspace', 'team')),
    scope_id uuid,
    owner_id uuid NOT NULL REFERENCES users (id),
    title varchar(300) NOT NULL,
    status varchar(20) NOT NULL CHECK (status IN ('draft', 'on_track', 'at_risk', 'off_track', 'done')),
    created_at timestamptz NOT NULL,
    CHECK ((scope_type = 'tenant') = (scope_id IS NULL))
);

CREATE TABLE key_results (
    id uuid PRIMARY KEY,
    objective_id uuid NOT NULL REFERENCES objectives (id),
    owner_id uuid NOT NULL REFERENCES users (id),
    title varchar(300) NOT NULL,
    start_value numeric(12, 2) NOT NULL,
    target_value numeric(12, 2) NOT NULL,
    current_value numeric(12, 2) NOT NULL,
    unit varchar(20) NOT NULL,
    UNIQUE (objective_id, title)
);

CREATE TABLE initiatives (
    id uuid PRIMARY KEY,
    objective_id uuid NOT NULL REFERENCES objectives (id),
    owner_id uuid NOT NULL REFERENCES users (id),
    title varchar(300) NOT NULL,
    status varchar(20) NOT NULL CHECK (status IN ('planned', 'in_progress', 'blocked', 'done'))
);

CREATE TABLE check_ins (
    id uuid PRIMARY KEY,
    key_result_id uuid NOT NULL REFERENCES key_results (id),
    author_id uuid NOT NULL REFERENCES users (id),
    value numeric(12, 2) NOT NULL,
    confidence smallint NOT NULL CHECK (confidence BETWEEN 1 AND 10),
    note varchar(1000),
    checked_in_at timestamptz NOT NULL
);
CREATE INDEX check_ins_key_result_idx ON check_ins (key_result_id);

CREATE TABLE role_assignments (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    scope_type varchar(20) NOT NULL CHECK (scope_type IN ('tenant', 'workspace', 'team')),
    scope_id uuid,
    role varchar(20) NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    UNIQUE (user_id, scope_type)
);
