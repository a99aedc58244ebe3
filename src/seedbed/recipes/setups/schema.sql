-- The setups recipe (seed system S5): a Supabase-style PostgreSQL project - the auth
-- schema's users beside the application's public tables, with enum types. seedbed reads
-- it as it would read the live project (introspection), enums included.

CREATE SCHEMA IF NOT EXISTS auth;

CREATE TYPE public.setup_status AS ENUM ('draft', 'active', 'archived');
CREATE TYPE public.component_kind AS ENUM ('camera', 'lens', 'light', 'tripod', 'microphone', 'other');

CREATE TABLE auth.users (
    id uuid PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    raw_user_meta_data jsonb,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE public.profiles (
    id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    username varchar(40) NOT NULL UNIQUE,
    full_name varchar(120),
    avatar_url text,
    created_at timestamptz NOT NULL
);

CREATE TABLE public.setups (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    name varchar(120) NOT NULL,
    description text,
    status public.setup_status NOT NULL,
    is_public boolean NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX setups_user_idx ON public.setups (user_id);

CREATE TABLE public.components (
    id uuid PRIMARY KEY,
    setup_id uuid NOT NULL REFERENCES public.setups (id) ON DELETE CASCADE,
    kind public.component_kind NOT NULL,
    name varchar(120) NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    created_at timestamptz NOT NULL
);

CREATE TABLE public.likes (
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    setup_id uuid NOT NULL REFERENCES public.setups (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, setup_id)
);
