-- The rollout recipe (seed system S4): a wholesale business's seven core tables, written for
-- PostgreSQL and transpiled by seedbed for MySQL/MariaDB and SQLite.
-- Names, emails, phones and addresses are personal data: `seedbed mask` replaces them.

CREATE TABLE vendors (
    id integer PRIMARY KEY,
    name varchar(200) NOT NULL,
    contact_name varchar(200) NOT NULL,
    email varchar(320) NOT NULL UNIQUE,
    phone varchar(40),
    address varchar(300),
    license_number varchar(32) NOT NULL UNIQUE,
    created_at timestamp NOT NULL
);

CREATE TABLE clients (
    id integer PRIMARY KEY,
    name varchar(200) NOT NULL,
    contact_name varchar(200) NOT NULL,
    email varchar(320) NOT NULL UNIQUE,
    phone varchar(40),
    address varchar(300),
    credit_limit numeric(12, 2) NOT NULL CHECK (credit_limit >= 0),
    created_at timestamp NOT NULL
);

CREATE TABLE products (
    id integer PRIMARY KEY,
    vendor_id integer NOT NULL REFERENCES vendors (id),
    sku varchar(32) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    category varchar(20) NOT NULL CHECK (category IN ('flower', 'edible', 'concentrate', 'pre_roll', 'topical')),
    unit_price numeric(10, 2) NOT NULL CHECK (unit_price > 0),
    created_at timestamp NOT NULL
);

CREATE TABLE batches (
    id integer PRIMARY KEY,
    product_id integer NOT NULL REFERENCES products (id),
    batch_code varchar(32) NOT NULL UNIQUE,
    quantity integer NOT NULL CHECK (quantity >= 0),
    harvested_on date NOT NULL,
    expires_on date NOT NULL,
    created_at timestamp NOT NULL,
    CONSTRAINT batches_dates CHECK (expires_on > harvested_on)
);

CREATE TABLE orders (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    batch_id integer NOT NULL REFERENCES batches (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    status varchar(20) NOT NULL CHECK (status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')),
    ordered_at timestamp NOT NULL
);
CREATE INDEX orders_client_idx ON orders (client_id);

CREATE TABLE invoices (
    id integer PRIMARY KEY,
    order_id integer NOT NULL UNIQUE REFERENCES orders (id),
    invoice_number varchar(32) NOT NULL UNIQUE,
    amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
    status varchar(20) NOT NULL CHECK (status IN ('sent', 'paid', 'partially_paid', 'overdue', 'void')),
    issued_at timestamp NOT NULL,
    due_at timestamp NOT NULL,
    CONSTRAINT invoices_due CHECK (due_at > issued_at)
);

CREATE TABLE payments (
    id integer PRIMARY KEY,
    invoice_id integer NOT NULL REFERENCES invoices (id),
    amount numeric(12, 2) NOT NULL CHECK (amount > 0),
    method varchar(10) NOT NULL CHECK (method IN ('check', 'wire', 'ach', 'card')),
    paid_at timestamp NOT NULL,
    reference varchar(64)
);
CREATE INDEX payments_invoice_idx ON payments (invoice_id);
