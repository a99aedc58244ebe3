-- The erp recipe (seed system S2): an ERP/CRM of a wholesale cannabis distributor, 107 tables and
-- 22 months of history - people and roles, clients and vendors, strains and products, warehouses,
-- lots and batches, purchasing, sales, invoicing and payments, vendor bills, a double-entry ledger,
-- banking, returns, calendar, comments and notes, lists, dashboards, CRM timelines, workflow queues,
-- pricing, matchmaking of needs and supplies, analytics, audit logs and named counters.
-- Written for PostgreSQL and transpiled by seedbed for MySQL/MariaDB and SQLite: integer keys,
-- varchar + CHECK instead of enums, text for JSON documents.

-- ---------------------------------------------------------------- people, roles, reference data

CREATE TABLE departments (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    cost_center varchar(20) NOT NULL UNIQUE,
    created_at timestamp NOT NULL
);

CREATE TABLE roles (
    id integer PRIMARY KEY,
    name varchar(50) NOT NULL UNIQUE,
    description varchar(300),
    is_system boolean NOT NULL,
    created_at timestamp NOT NULL
);

CREATE TABLE permissions (
    id integer PRIMARY KEY,
    code varchar(80) NOT NULL UNIQUE,
    description varchar(300)
);

CREATE TABLE role_permissions (
    role_id integer NOT NULL REFERENCES roles (id),
    permission_id integer NOT NULL REFERENCES permissions (id),
    granted_at timestamp NOT NULL,
    PRIMARY KEY (role_id, permission_id)
);

CREATE TABLE users (
    id integer PRIMARY KEY,
    department_id integer NOT NULL REFERENCES departments (id),
    role_id integer NOT NULL REFERENCES roles (id),
    first_name varchar(100) NOT NULL,
    last_name varchar(100) NOT NULL,
    email varchar(320) NOT NULL UNIQUE,
    phone varchar(40),
    job_title varchar(120),
    is_active boolean NOT NULL,
    created_at timestamp NOT NULL,
    last_login_at timestamp
);

CREATE TABLE user_roles (
    user_id integer NOT NULL REFERENCES users (id),
    role_id integer NOT NULL REFERENCES roles (id),
    assigned_at timestamp NOT NULL,
    PRIMARY KEY (user_id, role_id)
);

CREATE TABLE user_login_history (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    logged_in_at timestamp NOT NULL,
    ip_address varchar(45),
    user_agent varchar(300),
    succeeded boolean NOT NULL
);
CREATE INDEX user_login_history_user_idx ON user_login_history (user_id);

CREATE TABLE territories (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    region varchar(20) NOT NULL CHECK (region IN ('north', 'south', 'east', 'west', 'central'))
);

CREATE TABLE payment_terms (
    id integer PRIMARY KEY,
    code varchar(20) NOT NULL UNIQUE,
    description varchar(200) NOT NULL,
    net_days integer NOT NULL CHECK (net_days >= 0),
    discount_pct numeric(5, 2) NOT NULL CHECK (discount_pct >= 0 AND discount_pct <= 10)
);

CREATE TABLE tax_rates (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    jurisdiction varchar(100) NOT NULL,
    rate_pct numeric(6, 3) NOT NULL CHECK (rate_pct >= 0 AND rate_pct <= 40),
    effective_on date NOT NULL
);

-- ---------------------------------------------------------------- pricing (profiles before clients)

CREATE TABLE pricing_profiles (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    description varchar(300),
    default_markup_pct numeric(6, 2) NOT NULL CHECK (default_markup_pct >= 0),
    is_active boolean NOT NULL,
    created_at timestamp NOT NULL
);

CREATE TABLE pricing_tiers (
    id integer PRIMARY KEY,
    pricing_profile_id integer NOT NULL REFERENCES pricing_profiles (id),
    min_quantity integer NOT NULL CHECK (min_quantity > 0),
    discount_pct numeric(5, 2) NOT NULL CHECK (discount_pct >= 0 AND discount_pct <= 50),
    UNIQUE (pricing_profile_id, min_quantity)
);

-- ---------------------------------------------------------------- clients and vendors

CREATE TABLE clients (
    id integer PRIMARY KEY,
    territory_id integer NOT NULL REFERENCES territories (id),
    payment_term_id integer NOT NULL REFERENCES payment_terms (id),
    pricing_profile_id integer REFERENCES pricing_profiles (id),
    account_manager_id integer NOT NULL REFERENCES users (id),
    name varchar(200) NOT NULL,
    legal_name varchar(200) NOT NULL,
    email varchar(320) NOT NULL UNIQUE,
    phone varchar(40),
    website varchar(200),
    client_type varchar(20) NOT NULL CHECK (client_type IN ('dispensary', 'delivery', 'distributor', 'manufacturer', 'lounge')),
    status varchar(20) NOT NULL CHECK (status IN ('prospect', 'active', 'on_hold', 'churned')),
    credit_limit numeric(12, 2) NOT NULL CHECK (credit_limit >= 0),
    estimated_annual_volume numeric(14, 2) NOT NULL CHECK (estimated_annual_volume >= 0),
    created_at timestamp NOT NULL
);
CREATE INDEX clients_account_manager_idx ON clients (account_manager_id);

CREATE TABLE client_contacts (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    first_name varchar(100) NOT NULL,
    last_name varchar(100) NOT NULL,
    email varchar(320) NOT NULL UNIQUE,
    phone varchar(40),
    job_title varchar(120),
    is_primary boolean NOT NULL,
    created_at timestamp NOT NULL
);
CREATE INDEX client_contacts_client_idx ON client_contacts (client_id);

CREATE TABLE client_addresses (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    address_type varchar(20) NOT NULL CHECK (address_type IN ('billing', 'shipping', 'warehouse')),
    street varchar(200) NOT NULL,
    city varchar(100) NOT NULL,
    state varchar(60) NOT NULL,
    postal_code varchar(20) NOT NULL,
    country varchar(60) NOT NULL,
    UNIQUE (client_id, address_type)
);

CREATE TABLE client_licenses (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    license_type varchar(20) NOT NULL CHECK (license_type IN ('retail', 'distribution', 'microbusiness', 'delivery')),
    license_number varchar(32) NOT NULL UNIQUE,
    state varchar(60) NOT NULL,
    issued_on date NOT NULL,
    expires_on date NOT NULL,
    CHECK (expires_on > issued_on)
);

CREATE TABLE vendors (
    id integer PRIMARY KEY,
    payment_term_id integer NOT NULL REFERENCES payment_terms (id),
    name varchar(200) NOT NULL,
    email varchar(320) NOT NULL UNIQUE,
    phone varchar(40),
    website varchar(200),
    vendor_type varchar(20) NOT NULL CHECK (vendor_type IN ('cultivator', 'manufacturer', 'packaging', 'lab', 'logistics')),
    license_number varchar(32) NOT NULL UNIQUE,
    rating smallint CHECK (rating BETWEEN 1 AND 5),
    is_active boolean NOT NULL,
    created_at timestamp NOT NULL
);

CREATE TABLE vendor_contacts (
    id integer PRIMARY KEY,
    vendor_id integer NOT NULL REFERENCES vendors (id),
    first_name varchar(100) NOT NULL,
    last_name varchar(100) NOT NULL,
    email varchar(320) NOT NULL UNIQUE,
    phone varchar(40),
    job_title varchar(120),
    is_primary boolean NOT NULL
);

CREATE TABLE vendor_addresses (
    id integer PRIMARY KEY,
    vendor_id integer NOT NULL REFERENCES vendors (id),
    address_type varchar(20) NOT NULL CHECK (address_type IN ('billing', 'pickup', 'remit_to')),
    street varchar(200) NOT NULL,
    city varchar(100) NOT NULL,
    state varchar(60) NOT NULL,
    postal_code varchar(20) NOT NULL,
    country varchar(60) NOT NULL,
    UNIQUE (vendor_id, address_type)
);

CREATE TABLE consignment_agreements (
    id integer PRIMARY KEY,
    vendor_id integer NOT NULL REFERENCES vendors (id),
    agreement_number varchar(32) NOT NULL UNIQUE,
    commission_pct numeric(5, 2) NOT NULL CHECK (commission_pct >= 0 AND commission_pct <= 60),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    status varchar(20) NOT NULL CHECK (status IN ('draft', 'active', 'expired', 'terminated')),
    CHECK (ends_on > starts_on)
);

-- ---------------------------------------------------------------- strains and products

CREATE TABLE product_categories (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES product_categories (id),
    name varchar(100) NOT NULL,
    slug varchar(100) NOT NULL UNIQUE,
    sort_order integer NOT NULL
);

CREATE TABLE strains (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    strain_type varchar(10) NOT NULL CHECK (strain_type IN ('indica', 'sativa', 'hybrid', 'cbd')),
    thc_pct numeric(5, 2) NOT NULL CHECK (thc_pct >= 0 AND thc_pct <= 40),
    cbd_pct numeric(5, 2) NOT NULL CHECK (cbd_pct >= 0 AND cbd_pct <= 30),
    lineage varchar(200),
    description text,
    created_at timestamp NOT NULL
);

CREATE TABLE product_grades (
    id integer PRIMARY KEY,
    code varchar(10) NOT NULL UNIQUE,
    name varchar(60) NOT NULL,
    sort_order integer NOT NULL,
    price_multiplier numeric(4, 2) NOT NULL CHECK (price_multiplier > 0)
);

CREATE TABLE products (
    id integer PRIMARY KEY,
    category_id integer NOT NULL REFERENCES product_categories (id),
    strain_id integer REFERENCES strains (id),
    grade_id integer NOT NULL REFERENCES product_grades (id),
    vendor_id integer NOT NULL REFERENCES vendors (id),
    sku varchar(32) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    unit_of_measure varchar(10) NOT NULL CHECK (unit_of_measure IN ('g', 'oz', 'lb', 'unit', 'case')),
    unit_cost numeric(12, 2) NOT NULL CHECK (unit_cost > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price > 0),
    is_active boolean NOT NULL,
    created_at timestamp NOT NULL
);
CREATE INDEX products_category_idx ON products (category_id);
CREATE INDEX products_vendor_idx ON products (vendor_id);

CREATE TABLE product_synonyms (
    id integer PRIMARY KEY,
    product_id integer NOT NULL REFERENCES products (id),
    synonym varchar(200) NOT NULL,
    source varchar(20) NOT NULL CHECK (source IN ('vendor', 'client', 'internal', 'market')),
    UNIQUE (product_id, synonym)
);

CREATE TABLE product_media (
    id integer PRIMARY KEY,
    product_id integer NOT NULL REFERENCES products (id),
    media_type varchar(10) NOT NULL CHECK (media_type IN ('image', 'video', 'coa_pdf')),
    url varchar(500) NOT NULL,
    sort_order integer NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    uploaded_at timestamp NOT NULL
);
CREATE INDEX product_media_product_idx ON product_media (product_id);

CREATE TABLE tags (
    id integer PRIMARY KEY,
    name varchar(60) NOT NULL UNIQUE,
    color varchar(7) NOT NULL
);

CREATE TABLE product_tags (
    product_id integer NOT NULL REFERENCES products (id),
    tag_id integer NOT NULL REFERENCES tags (id),
    tagged_at timestamp NOT NULL,
    PRIMARY KEY (product_id, tag_id)
);

CREATE TABLE product_price_history (
    id integer PRIMARY KEY,
    product_id integer NOT NULL REFERENCES products (id),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price > 0),
    effective_from date NOT NULL,
    changed_by integer REFERENCES users (id)
);
CREATE INDEX product_price_history_product_idx ON product_price_history (product_id);

-- ---------------------------------------------------------------- warehouses and locations

CREATE TABLE warehouses (
    id integer PRIMARY KEY,
    code varchar(10) NOT NULL UNIQUE,
    name varchar(100) NOT NULL,
    street varchar(200) NOT NULL,
    city varchar(100) NOT NULL,
    state varchar(60) NOT NULL,
    postal_code varchar(20) NOT NULL,
    is_active boolean NOT NULL,
    created_at timestamp NOT NULL
);

CREATE TABLE locations (
    id integer PRIMARY KEY,
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    code varchar(20) NOT NULL,
    location_type varchar(20) NOT NULL CHECK (location_type IN ('rack', 'vault', 'cooler', 'staging', 'quarantine')),
    capacity_units integer NOT NULL CHECK (capacity_units > 0),
    UNIQUE (warehouse_id, code)
);

-- ---------------------------------------------------------------- purchasing

CREATE TABLE purchase_orders (
    id integer PRIMARY KEY,
    vendor_id integer NOT NULL REFERENCES vendors (id),
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    created_by integer NOT NULL REFERENCES users (id),
    po_number varchar(32) NOT NULL UNIQUE,
    status varchar(20) NOT NULL CHECK (status IN ('draft', 'sent', 'partially_received', 'received', 'closed', 'cancelled')),
    ordered_at timestamp NOT NULL,
    expected_on date NOT NULL,
    total_amount numeric(14, 2) NOT NULL CHECK (total_amount >= 0),
    notes varchar(1000),
    created_at timestamp NOT NULL
);
CREATE INDEX purchase_orders_vendor_idx ON purchase_orders (vendor_id);

CREATE TABLE purchase_order_items (
    id integer PRIMARY KEY,
    purchase_order_id integer NOT NULL REFERENCES purchase_orders (id),
    line_number integer NOT NULL CHECK (line_number > 0),
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_cost numeric(12, 2) NOT NULL CHECK (unit_cost >= 0),
    line_total numeric(14, 2) NOT NULL CHECK (line_total >= 0),
    UNIQUE (purchase_order_id, line_number)
);
CREATE INDEX purchase_order_items_product_idx ON purchase_order_items (product_id);

CREATE TABLE purchase_receipts (
    id integer PRIMARY KEY,
    purchase_order_id integer NOT NULL REFERENCES purchase_orders (id),
    received_by integer NOT NULL REFERENCES users (id),
    receipt_number varchar(32) NOT NULL UNIQUE,
    received_at timestamp NOT NULL,
    notes varchar(500)
);
CREATE INDEX purchase_receipts_po_idx ON purchase_receipts (purchase_order_id);

CREATE TABLE purchase_receipt_lines (
    id integer PRIMARY KEY,
    purchase_receipt_id integer NOT NULL REFERENCES purchase_receipts (id),
    purchase_order_item_id integer NOT NULL REFERENCES purchase_order_items (id),
    quantity_received integer NOT NULL CHECK (quantity_received > 0),
    quantity_rejected integer NOT NULL CHECK (quantity_rejected >= 0)
);
CREATE INDEX purchase_receipt_lines_receipt_idx ON purchase_receipt_lines (purchase_receipt_id);

-- ---------------------------------------------------------------- inventory: lots and batches

CREATE TABLE lots (
    id integer PRIMARY KEY,
    purchase_order_item_id integer NOT NULL UNIQUE REFERENCES purchase_order_items (id),
    vendor_id integer NOT NULL REFERENCES vendors (id),
    product_id integer NOT NULL REFERENCES products (id),
    lot_number varchar(32) NOT NULL UNIQUE,
    quantity_received integer NOT NULL CHECK (quantity_received > 0),
    unit_cost numeric(12, 2) NOT NULL CHECK (unit_cost >= 0),
    is_consignment boolean NOT NULL,
    status varchar(20) NOT NULL CHECK (status IN ('received', 'testing', 'available', 'depleted', 'quarantined')),
    received_at timestamp NOT NULL
);
CREATE INDEX lots_product_idx ON lots (product_id);

CREATE TABLE batches (
    id integer PRIMARY KEY,
    lot_id integer NOT NULL REFERENCES lots (id),
    location_id integer NOT NULL REFERENCES locations (id),
    batch_code varchar(32) NOT NULL UNIQUE,
    quantity_on_hand integer NOT NULL CHECK (quantity_on_hand >= 0),
    harvested_on date NOT NULL,
    expires_on date NOT NULL,
    created_at timestamp NOT NULL,
    CHECK (expires_on > harvested_on)
);
CREATE INDEX batches_lot_idx ON batches (lot_id);

CREATE TABLE lab_results (
    id integer PRIMARY KEY,
    batch_id integer NOT NULL REFERENCES batches (id),
    lab_vendor_id integer NOT NULL REFERENCES vendors (id),
    thc_pct numeric(5, 2) NOT NULL CHECK (thc_pct >= 0 AND thc_pct <= 40),
    cbd_pct numeric(5, 2) NOT NULL CHECK (cbd_pct >= 0 AND cbd_pct <= 30),
    moisture_pct numeric(5, 2) CHECK (moisture_pct >= 0 AND moisture_pct <= 20),
    passed boolean NOT NULL,
    tested_at timestamp NOT NULL
);
CREATE INDEX lab_results_batch_idx ON lab_results (batch_id);

CREATE TABLE inventory_movements (
    id integer PRIMARY KEY,
    batch_id integer NOT NULL REFERENCES batches (id),
    from_location_id integer REFERENCES locations (id),
    to_location_id integer REFERENCES locations (id),
    user_id integer NOT NULL REFERENCES users (id),
    movement_type varchar(20) NOT NULL CHECK (movement_type IN ('receive', 'transfer', 'pick', 'return', 'dispose')),
    quantity integer NOT NULL CHECK (quantity > 0),
    moved_at timestamp NOT NULL
);
CREATE INDEX inventory_movements_batch_idx ON inventory_movements (batch_id);

CREATE TABLE inventory_adjustments (
    id integer PRIMARY KEY,
    batch_id integer NOT NULL REFERENCES batches (id),
    user_id integer NOT NULL REFERENCES users (id),
    reason varchar(20) NOT NULL CHECK (reason IN ('count', 'damage', 'theft', 'expired', 'sample', 'correction')),
    quantity_delta integer NOT NULL CHECK (quantity_delta <> 0),
    adjusted_at timestamp NOT NULL,
    notes varchar(500)
);
CREATE INDEX inventory_adjustments_batch_idx ON inventory_adjustments (batch_id);

CREATE TABLE stock_counts (
    id integer PRIMARY KEY,
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    counted_by integer NOT NULL REFERENCES users (id),
    status varchar(20) NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed', 'cancelled')),
    counted_at timestamp NOT NULL
);

CREATE TABLE stock_count_lines (
    id integer PRIMARY KEY,
    stock_count_id integer NOT NULL REFERENCES stock_counts (id),
    batch_id integer NOT NULL REFERENCES batches (id),
    expected_quantity integer NOT NULL CHECK (expected_quantity >= 0),
    counted_quantity integer NOT NULL CHECK (counted_quantity >= 0),
    UNIQUE (stock_count_id, batch_id)
);

-- ---------------------------------------------------------------- sales

CREATE TABLE quotes (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    sales_rep_id integer NOT NULL REFERENCES users (id),
    quote_number varchar(32) NOT NULL UNIQUE,
    status varchar(20) NOT NULL CHECK (status IN ('draft', 'sent', 'accepted', 'rejected', 'expired')),
    issued_on date NOT NULL,
    valid_until date NOT NULL,
    total_amount numeric(14, 2) NOT NULL CHECK (total_amount >= 0),
    CHECK (valid_until >= issued_on)
);
CREATE INDEX quotes_client_idx ON quotes (client_id);

CREATE TABLE quote_items (
    id integer PRIMARY KEY,
    quote_id integer NOT NULL REFERENCES quotes (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    line_total numeric(14, 2) NOT NULL CHECK (line_total >= 0)
);
CREATE INDEX quote_items_quote_idx ON quote_items (quote_id);

CREATE TABLE sales_orders (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    sales_rep_id integer NOT NULL REFERENCES users (id),
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    quote_id integer REFERENCES quotes (id),
    order_number varchar(32) NOT NULL UNIQUE,
    status varchar(20) NOT NULL CHECK (status IN ('pending', 'confirmed', 'picking', 'shipped', 'delivered', 'cancelled')),
    channel varchar(20) NOT NULL CHECK (channel IN ('phone', 'email', 'portal', 'field_rep', 'trade_show')),
    ordered_at timestamp NOT NULL,
    required_on date NOT NULL,
    total_amount numeric(14, 2) NOT NULL CHECK (total_amount >= 0),
    created_at timestamp NOT NULL
);
CREATE INDEX sales_orders_client_idx ON sales_orders (client_id);
CREATE INDEX sales_orders_sales_rep_idx ON sales_orders (sales_rep_id);

CREATE TABLE sales_order_items (
    id integer PRIMARY KEY,
    sales_order_id integer NOT NULL REFERENCES sales_orders (id),
    line_number integer NOT NULL CHECK (line_number > 0),
    product_id integer NOT NULL REFERENCES products (id),
    batch_id integer REFERENCES batches (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    line_total numeric(14, 2) NOT NULL CHECK (line_total >= 0),
    UNIQUE (sales_order_id, line_number)
);
CREATE INDEX sales_order_items_product_idx ON sales_order_items (product_id);
CREATE INDEX sales_order_items_batch_idx ON sales_order_items (batch_id);

CREATE TABLE shipments (
    id integer PRIMARY KEY,
    sales_order_id integer NOT NULL REFERENCES sales_orders (id),
    carrier varchar(30) NOT NULL CHECK (carrier IN ('own_fleet', 'courier', 'freight', 'client_pickup')),
    tracking_number varchar(40) NOT NULL UNIQUE,
    shipped_at timestamp NOT NULL,
    delivered_at timestamp,
    CHECK (delivered_at IS NULL OR delivered_at >= shipped_at)
);
CREATE INDEX shipments_sales_order_idx ON shipments (sales_order_id);

CREATE TABLE shipment_items (
    id integer PRIMARY KEY,
    shipment_id integer NOT NULL REFERENCES shipments (id),
    sales_order_item_id integer NOT NULL REFERENCES sales_order_items (id),
    quantity integer NOT NULL CHECK (quantity > 0)
);
CREATE INDEX shipment_items_shipment_idx ON shipment_items (shipment_id);

-- ---------------------------------------------------------------- invoicing and payments

CREATE TABLE invoices (
    id integer PRIMARY KEY,
    sales_order_id integer NOT NULL UNIQUE REFERENCES sales_orders (id),
    client_id integer NOT NULL REFERENCES clients (id),
    tax_rate_id integer NOT NULL REFERENCES tax_rates (id),
    invoice_number varchar(32) NOT NULL UNIQUE,
    status varchar(20) NOT NULL CHECK (status IN ('draft', 'sent', 'partially_paid', 'paid', 'overdue', 'void')),
    issued_at timestamp NOT NULL,
    issue_date date NOT NULL,
    due_date date NOT NULL,
    expected_payment_on date NOT NULL,
    total_amount numeric(14, 2) NOT NULL CHECK (total_amount >= 0),
    created_at timestamp NOT NULL,
    CHECK (due_date >= issue_date),
    CHECK (expected_payment_on >= issue_date)
);
CREATE INDEX invoices_client_idx ON invoices (client_id);

CREATE TABLE invoice_lines (
    id integer PRIMARY KEY,
    invoice_id integer NOT NULL REFERENCES invoices (id),
    sales_order_item_id integer REFERENCES sales_order_items (id),
    product_id integer NOT NULL REFERENCES products (id),
    description varchar(300) NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    line_total numeric(14, 2) NOT NULL CHECK (line_total >= 0)
);
CREATE INDEX invoice_lines_invoice_idx ON invoice_lines (invoice_id);

CREATE TABLE payments (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    invoice_id integer NOT NULL REFERENCES invoices (id),
    payment_number varchar(32) NOT NULL UNIQUE,
    method varchar(10) NOT NULL CHECK (method IN ('check', 'wire', 'ach')),
    amount numeric(14, 2) NOT NULL CHECK (amount > 0),
    reference varchar(64),
    paid_at timestamp NOT NULL,
    created_at timestamp NOT NULL
);
CREATE INDEX payments_client_idx ON payments (client_id);
CREATE INDEX payments_invoice_idx ON payments (invoice_id);

CREATE TABLE credit_notes (
    id integer PRIMARY KEY,
    invoice_id integer NOT NULL REFERENCES invoices (id),
    client_id integer NOT NULL REFERENCES clients (id),
    credit_number varchar(32) NOT NULL UNIQUE,
    reason varchar(20) NOT NULL CHECK (reason IN ('pricing_error', 'short_shipment', 'damaged', 'goodwill', 'promotion')),
    amount numeric(14, 2) NOT NULL CHECK (amount > 0),
    issued_at timestamp NOT NULL
);
CREATE INDEX credit_notes_invoice_idx ON credit_notes (invoice_id);

CREATE TABLE payment_applications (
    id integer PRIMARY KEY,
    payment_id integer NOT NULL REFERENCES payments (id),
    invoice_id integer NOT NULL REFERENCES invoices (id),
    amount numeric(14, 2) NOT NULL CHECK (amount > 0),
    applied_at timestamp NOT NULL,
    UNIQUE (payment_id, invoice_id)
);
CREATE INDEX payment_applications_invoice_idx ON payment_applications (invoice_id);

-- ---------------------------------------------------------------- returns and refunds

CREATE TABLE sales_returns (
    id integer PRIMARY KEY,
    sales_order_id integer NOT NULL REFERENCES sales_orders (id),
    client_id integer NOT NULL REFERENCES clients (id),
    rma_number varchar(32) NOT NULL UNIQUE,
    reason varchar(20) NOT NULL CHECK (reason IN ('damaged', 'wrong_item', 'quality', 'expired', 'overstock', 'failed_test')),
    status varchar(20) NOT NULL CHECK (status IN ('requested', 'approved', 'received', 'refunded', 'rejected')),
    requested_at timestamp NOT NULL,
    received_at timestamp,
    CHECK (received_at IS NULL OR received_at >= requested_at)
);
CREATE INDEX sales_returns_sales_order_idx ON sales_returns (sales_order_id);

CREATE TABLE return_items (
    id integer PRIMARY KEY,
    sales_return_id integer NOT NULL REFERENCES sales_returns (id),
    sales_order_item_id integer NOT NULL REFERENCES sales_order_items (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    item_condition varchar(20) NOT NULL CHECK (item_condition IN ('sellable', 'damaged', 'destroyed')),
    restocked boolean NOT NULL
);
CREATE INDEX return_items_return_idx ON return_items (sales_return_id);

CREATE TABLE refunds (
    id integer PRIMARY KEY,
    sales_return_id integer NOT NULL REFERENCES sales_returns (id),
    method varchar(20) NOT NULL CHECK (method IN ('check', 'wire', 'ach', 'credit_note')),
    amount numeric(14, 2) NOT NULL CHECK (amount > 0),
    refunded_at timestamp NOT NULL,
    approved_by integer NOT NULL REFERENCES users (id)
);
CREATE INDEX refunds_return_idx ON refunds (sales_return_id);

-- ---------------------------------------------------------------- vendor bills

CREATE TABLE vendor_bills (
    id integer PRIMARY KEY,
    vendor_id integer NOT NULL REFERENCES vendors (id),
    purchase_order_id integer REFERENCES purchase_orders (id),
    bill_number varchar(32) NOT NULL UNIQUE,
    status varchar(20) NOT NULL CHECK (status IN ('draft', 'open', 'partially_paid', 'paid', 'void')),
    bill_date date NOT NULL,
    due_date date NOT NULL,
    total_amount numeric(14, 2) NOT NULL CHECK (total_amount >= 0),
    created_at timestamp NOT NULL,
    CHECK (due_date >= bill_date)
);
CREATE INDEX vendor_bills_vendor_idx ON vendor_bills (vendor_id);

CREATE TABLE vendor_bill_lines (
    id integer PRIMARY KEY,
    vendor_bill_id integer NOT NULL REFERENCES vendor_bills (id),
    product_id integer REFERENCES products (id),
    description varchar(300) NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_cost numeric(12, 2) NOT NULL CHECK (unit_cost >= 0),
    line_total numeric(14, 2) NOT NULL CHECK (line_total >= 0)
);
CREATE INDEX vendor_bill_lines_bill_idx ON vendor_bill_lines (vendor_bill_id);

-- ---------------------------------------------------------------- ledger and banking

CREATE TABLE chart_of_accounts (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES chart_of_accounts (id),
    code varchar(10) NOT NULL UNIQUE,
    name varchar(120) NOT NULL,
    account_type varchar(20) NOT NULL CHECK (account_type IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
    is_active boolean NOT NULL
);

CREATE TABLE fiscal_periods (
    id integer PRIMARY KEY,
    name varchar(20) NOT NULL UNIQUE,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    is_closed boolean NOT NULL,
    CHECK (ends_on > starts_on)
);

CREATE TABLE vendor_payments (
    id integer PRIMARY KEY,
    vendor_bill_id integer NOT NULL REFERENCES vendor_bills (id),
    method varchar(10) NOT NULL CHECK (method IN ('check', 'wire', 'ach')),
    amount numeric(14, 2) NOT NULL CHECK (amount > 0),
    paid_at timestamp NOT NULL,
    reference varchar(64)
);
CREATE INDEX vendor_payments_bill_idx ON vendor_payments (vendor_bill_id);

CREATE TABLE journal_entries (
    id integer PRIMARY KEY,
    fiscal_period_id integer NOT NULL REFERENCES fiscal_periods (id),
    created_by integer NOT NULL REFERENCES users (id),
    entry_number varchar(32) NOT NULL UNIQUE,
    source_type varchar(20) NOT NULL CHECK (source_type IN ('invoice', 'payment', 'vendor_bill', 'refund', 'adjustment')),
    source_id integer,
    description varchar(300),
    posted_at timestamp NOT NULL
);
CREATE INDEX journal_entries_period_idx ON journal_entries (fiscal_period_id);

CREATE TABLE journal_lines (
    id integer PRIMARY KEY,
    journal_entry_id integer NOT NULL REFERENCES journal_entries (id),
    account_id integer NOT NULL REFERENCES chart_of_accounts (id),
    debit numeric(14, 2) NOT NULL CHECK (debit >= 0),
    credit numeric(14, 2) NOT NULL CHECK (credit >= 0),
    memo varchar(300)
);
CREATE INDEX journal_lines_entry_idx ON journal_lines (journal_entry_id);
CREATE INDEX journal_lines_account_idx ON journal_lines (account_id);

CREATE TABLE bank_accounts (
    id integer PRIMARY KEY,
    gl_account_id integer NOT NULL REFERENCES chart_of_accounts (id),
    name varchar(100) NOT NULL UNIQUE,
    bank_name varchar(100) NOT NULL,
    account_number_last4 varchar(4) NOT NULL,
    currency varchar(3) NOT NULL,
    opening_balance numeric(14, 2) NOT NULL,
    opened_on date NOT NULL
);

CREATE TABLE bank_transactions (
    id integer PRIMARY KEY,
    bank_account_id integer NOT NULL REFERENCES bank_accounts (id),
    payment_id integer REFERENCES payments (id),
    transaction_type varchar(20) NOT NULL CHECK (transaction_type IN ('deposit', 'withdrawal', 'fee', 'transfer', 'interest')),
    amount numeric(14, 2) NOT NULL CHECK (amount > 0),
    description varchar(300),
    posted_at timestamp NOT NULL,
    is_reconciled boolean NOT NULL
);
CREATE INDEX bank_transactions_account_idx ON bank_transactions (bank_account_id);
CREATE INDEX bank_transactions_payment_idx ON bank_transactions (payment_id);

CREATE TABLE bank_reconciliations (
    id integer PRIMARY KEY,
    bank_account_id integer NOT NULL REFERENCES bank_accounts (id),
    fiscal_period_id integer NOT NULL REFERENCES fiscal_periods (id),
    statement_balance numeric(14, 2) NOT NULL,
    reconciled_by integer NOT NULL REFERENCES users (id),
    reconciled_at timestamp NOT NULL,
    UNIQUE (bank_account_id, fiscal_period_id)
);

-- ---------------------------------------------------------------- calendar

CREATE TABLE calendar_events (
    id integer PRIMARY KEY,
    organizer_id integer NOT NULL REFERENCES users (id),
    client_id integer REFERENCES clients (id),
    title varchar(200) NOT NULL,
    event_type varchar(20) NOT NULL CHECK (event_type IN ('meeting', 'call', 'delivery', 'demo', 'audit', 'training')),
    location varchar(200),
    starts_at timestamp NOT NULL,
    ends_at timestamp NOT NULL,
    is_all_day boolean NOT NULL,
    created_at timestamp NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX calendar_events_organizer_idx ON calendar_events (organizer_id);

CREATE TABLE event_attendees (
    id integer PRIMARY KEY,
    event_id integer NOT NULL REFERENCES calendar_events (id),
    user_id integer NOT NULL REFERENCES users (id),
    attendee_role varchar(20) NOT NULL CHECK (attendee_role IN ('host', 'required', 'optional')),
    attended boolean NOT NULL,
    UNIQUE (event_id, user_id)
);

CREATE TABLE event_invitations (
    id integer PRIMARY KEY,
    event_id integer NOT NULL REFERENCES calendar_events (id),
    invitee_email varchar(320) NOT NULL,
    status varchar(10) NOT NULL CHECK (status IN ('accepted', 'declined', 'pending')),
    sent_at timestamp NOT NULL,
    responded_at timestamp,
    CHECK (responded_at IS NULL OR responded_at >= sent_at)
);
CREATE INDEX event_invitations_event_idx ON event_invitations (event_id);

CREATE TABLE event_reminders (
    id integer PRIMARY KEY,
    event_id integer NOT NULL REFERENCES calendar_events (id),
    user_id integer NOT NULL REFERENCES users (id),
    channel varchar(10) NOT NULL CHECK (channel IN ('email', 'push', 'sms')),
    minutes_before integer NOT NULL CHECK (minutes_before > 0),
    is_sent boolean NOT NULL
);
CREATE INDEX event_reminders_event_idx ON event_reminders (event_id);

CREATE TABLE event_recurrence_rules (
    id integer PRIMARY KEY,
    event_id integer NOT NULL UNIQUE REFERENCES calendar_events (id),
    frequency varchar(10) NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'yearly')),
    interval_count integer NOT NULL CHECK (interval_count BETWEEN 1 AND 12),
    by_weekday varchar(30),
    occurrences integer CHECK (occurrences > 0),
    until_date date
);

-- ---------------------------------------------------------------- comments and notes

CREATE TABLE comments (
    id integer PRIMARY KEY,
    author_id integer NOT NULL REFERENCES users (id),
    entity_type varchar(20) NOT NULL CHECK (entity_type IN ('client', 'sales_order', 'invoice', 'product', 'purchase_order')),
    entity_id integer NOT NULL,
    body text NOT NULL,
    is_internal boolean NOT NULL,
    created_at timestamp NOT NULL
);
CREATE INDEX comments_entity_idx ON comments (entity_type, entity_id);

CREATE TABLE comment_mentions (
    id integer PRIMARY KEY,
    comment_id integer NOT NULL REFERENCES comments (id),
    user_id integer NOT NULL REFERENCES users (id),
    notified boolean NOT NULL,
    UNIQUE (comment_id, user_id)
);

CREATE TABLE notes (
    id integer PRIMARY KEY,
    author_id integer NOT NULL REFERENCES users (id),
    client_id integer REFERENCES clients (id),
    note_type varchar(20) NOT NULL CHECK (note_type IN ('general', 'call', 'meeting', 'follow_up')),
    title varchar(200) NOT NULL,
    body text NOT NULL,
    is_pinned boolean NOT NULL,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CHECK (updated_at >= created_at)
);
CREATE INDEX notes_client_idx ON notes (client_id);

CREATE TABLE note_comments (
    id integer PRIMARY KEY,
    note_id integer NOT NULL REFERENCES notes (id),
    author_id integer NOT NULL REFERENCES users (id),
    body text NOT NULL,
    created_at timestamp NOT NULL
);
CREATE INDEX note_comments_note_idx ON note_comments (note_id);

CREATE TABLE note_activity (
    id integer PRIMARY KEY,
    note_id integer NOT NULL REFERENCES notes (id),
    user_id integer NOT NULL REFERENCES users (id),
    action varchar(20) NOT NULL CHECK (action IN ('created', 'edited', 'viewed', 'shared', 'pinned')),
    occurred_at timestamp NOT NULL
);
CREATE INDEX note_activity_note_idx ON note_activity (note_id);

-- ---------------------------------------------------------------- lists

CREATE TABLE lists (
    id integer PRIMARY KEY,
    owner_id integer NOT NULL REFERENCES users (id),
    name varchar(120) NOT NULL,
    list_type varchar(20) NOT NULL CHECK (list_type IN ('clients', 'products', 'vendors', 'tasks')),
    is_shared boolean NOT NULL,
    created_at timestamp NOT NULL
);

CREATE TABLE list_items (
    id integer PRIMARY KEY,
    list_id integer NOT NULL REFERENCES lists (id),
    sort_order integer NOT NULL,
    label varchar(200) NOT NULL,
    is_done boolean NOT NULL,
    created_at timestamp NOT NULL,
    UNIQUE (list_id, sort_order)
);

CREATE TABLE list_shares (
    id integer PRIMARY KEY,
    list_id integer NOT NULL REFERENCES lists (id),
    user_id integer NOT NULL REFERENCES users (id),
    permission varchar(10) NOT NULL CHECK (permission IN ('view', 'edit')),
    shared_at timestamp NOT NULL,
    UNIQUE (list_id, user_id)
);

-- ---------------------------------------------------------------- dashboards and preferences

CREATE TABLE dashboard_layouts (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    name varchar(100) NOT NULL,
    is_default boolean NOT NULL,
    column_count smallint NOT NULL CHECK (column_count BETWEEN 1 AND 6),
    created_at timestamp NOT NULL
);

CREATE TABLE dashboard_widgets (
    id integer PRIMARY KEY,
    layout_id integer NOT NULL REFERENCES dashboard_layouts (id),
    widget_type varchar(20) NOT NULL CHECK (widget_type IN ('kpi', 'chart', 'table', 'list', 'calendar', 'feed')),
    title varchar(120) NOT NULL,
    sort_order integer NOT NULL,
    width smallint NOT NULL CHECK (width BETWEEN 1 AND 12),
    height smallint NOT NULL CHECK (height BETWEEN 1 AND 12),
    config text,
    UNIQUE (layout_id, sort_order)
);

CREATE TABLE kpi_settings (
    id integer PRIMARY KEY,
    owner_id integer NOT NULL REFERENCES users (id),
    kpi_code varchar(40) NOT NULL UNIQUE,
    name varchar(120) NOT NULL,
    target_value numeric(14, 2) NOT NULL CHECK (target_value >= 0),
    warning_threshold_pct numeric(5, 2) NOT NULL CHECK (warning_threshold_pct BETWEEN 0 AND 100),
    period_type varchar(10) NOT NULL CHECK (period_type IN ('daily', 'weekly', 'monthly', 'quarterly')),
    is_visible boolean NOT NULL
);

CREATE TABLE user_preferences (
    id integer PRIMARY KEY,
    user_id integer NOT NULL UNIQUE REFERENCES users (id),
    theme varchar(10) NOT NULL CHECK (theme IN ('light', 'dark', 'system')),
    timezone varchar(64) NOT NULL,
    locale varchar(10) NOT NULL,
    page_size integer NOT NULL CHECK (page_size IN (10, 25, 50, 100)),
    email_digest varchar(10) NOT NULL CHECK (email_digest IN ('none', 'daily', 'weekly')),
    updated_at timestamp NOT NULL
);

-- ---------------------------------------------------------------- CRM

CREATE TABLE client_communications (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    user_id integer NOT NULL REFERENCES users (id),
    channel varchar(10) NOT NULL CHECK (channel IN ('email', 'phone', 'sms', 'visit', 'video')),
    direction varchar(10) NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    subject varchar(200) NOT NULL,
    body text,
    occurred_at timestamp NOT NULL
);
CREATE INDEX client_communications_client_idx ON client_communications (client_id);

CREATE TABLE client_activity (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    user_id integer REFERENCES users (id),
    activity_type varchar(20) NOT NULL CHECK (activity_type IN ('order_placed', 'invoice_sent', 'payment_received', 'call', 'email', 'visit', 'note_added', 'status_changed')),
    summary varchar(300) NOT NULL,
    occurred_at timestamp NOT NULL
);
CREATE INDEX client_activity_client_idx ON client_activity (client_id);

CREATE TABLE client_needs (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    category_id integer NOT NULL REFERENCES product_categories (id),
    strain_id integer REFERENCES strains (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    max_unit_price numeric(12, 2) NOT NULL CHECK (max_unit_price > 0),
    status varchar(20) NOT NULL CHECK (status IN ('open', 'matched', 'fulfilled', 'expired', 'cancelled')),
    needed_by date NOT NULL,
    created_at timestamp NOT NULL
);
CREATE INDEX client_needs_client_idx ON client_needs (client_id);

-- ---------------------------------------------------------------- matchmaking

CREATE TABLE vendor_supplies (
    id integer PRIMARY KEY,
    vendor_id integer NOT NULL REFERENCES vendors (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity_available integer NOT NULL CHECK (quantity_available > 0),
    asking_price numeric(12, 2) NOT NULL CHECK (asking_price > 0),
    status varchar(20) NOT NULL CHECK (status IN ('available', 'reserved', 'sold', 'withdrawn')),
    available_from date NOT NULL,
    available_until date NOT NULL,
    created_at timestamp NOT NULL,
    CHECK (available_until >= available_from)
);
CREATE INDEX vendor_supplies_vendor_idx ON vendor_supplies (vendor_id);

CREATE TABLE match_runs (
    id integer PRIMARY KEY,
    algorithm varchar(20) NOT NULL CHECK (algorithm IN ('price_first', 'strain_similarity', 'hybrid')),
    parameters text,
    started_at timestamp NOT NULL,
    finished_at timestamp NOT NULL,
    CHECK (finished_at >= started_at)
);

CREATE TABLE match_results (
    id integer PRIMARY KEY,
    match_run_id integer NOT NULL REFERENCES match_runs (id),
    client_need_id integer NOT NULL REFERENCES client_needs (id),
    vendor_supply_id integer NOT NULL REFERENCES vendor_supplies (id),
    score numeric(5, 4) NOT NULL CHECK (score >= 0 AND score <= 1),
    status varchar(20) NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected', 'expired')),
    created_at timestamp NOT NULL
);
CREATE INDEX match_results_run_idx ON match_results (match_run_id);
CREATE INDEX match_results_need_idx ON match_results (client_need_id);

-- ---------------------------------------------------------------- pricing rules and overrides

CREATE TABLE pricing_rules (
    id integer PRIMARY KEY,
    pricing_profile_id integer NOT NULL REFERENCES pricing_profiles (id),
    category_id integer REFERENCES product_categories (id),
    grade_id integer REFERENCES product_grades (id),
    name varchar(120) NOT NULL,
    rule_type varchar(20) NOT NULL CHECK (rule_type IN ('markup', 'discount', 'fixed_margin')),
    adjustment_pct numeric(6, 2) NOT NULL CHECK (adjustment_pct >= 0 AND adjustment_pct <= 200),
    priority integer NOT NULL CHECK (priority BETWEEN 1 AND 100),
    starts_on date NOT NULL,
    ends_on date,
    is_active boolean NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);

CREATE TABLE client_pricing_overrides (
    id integer PRIMARY KEY,
    client_id integer NOT NULL REFERENCES clients (id),
    product_id integer NOT NULL REFERENCES products (id),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price > 0),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    approved_by integer NOT NULL REFERENCES users (id),
    CHECK (ends_on >= starts_on),
    UNIQUE (client_id, product_id)
);

-- ---------------------------------------------------------------- workflow

CREATE TABLE workflow_templates (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    entity_type varchar(20) NOT NULL CHECK (entity_type IN ('sales_order', 'purchase_order', 'invoice', 'client', 'sales_return')),
    description varchar(300),
    is_active boolean NOT NULL,
    created_at timestamp NOT NULL
);

CREATE TABLE workflow_template_steps (
    id integer PRIMARY KEY,
    template_id integer NOT NULL REFERENCES workflow_templates (id),
    step_order integer NOT NULL CHECK (step_order > 0),
    name varchar(100) NOT NULL,
    sla_hours integer NOT NULL CHECK (sla_hours > 0),
    UNIQUE (template_id, step_order)
);

CREATE TABLE workflow_queues (
    id integer PRIMARY KEY,
    template_id integer NOT NULL REFERENCES workflow_templates (id),
    department_id integer NOT NULL REFERENCES departments (id),
    name varchar(100) NOT NULL UNIQUE,
    description varchar(300),
    created_at timestamp NOT NULL
);

CREATE TABLE workflow_items (
    id integer PRIMARY KEY,
    queue_id integer NOT NULL REFERENCES workflow_queues (id),
    entity_type varchar(20) NOT NULL CHECK (entity_type IN ('sales_order', 'purchase_order', 'invoice', 'client', 'sales_return')),
    entity_id integer NOT NULL,
    title varchar(200) NOT NULL,
    status varchar(20) NOT NULL CHECK (status IN ('new', 'in_progress', 'waiting', 'review', 'done', 'cancelled')),
    priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
    created_at timestamp NOT NULL,
    due_at timestamp,
    CHECK (due_at IS NULL OR due_at >= created_at)
);
CREATE INDEX workflow_items_queue_idx ON workflow_items (queue_id);

CREATE TABLE workflow_item_status_history (
    id integer PRIMARY KEY,
    workflow_item_id integer NOT NULL REFERENCES workflow_items (id),
    from_status varchar(20),
    to_status varchar(20) NOT NULL,
    changed_by integer REFERENCES users (id),
    changed_at timestamp NOT NULL
);
CREATE INDEX workflow_item_status_history_item_idx ON workflow_item_status_history (workflow_item_id);

CREATE TABLE workflow_assignments (
    id integer PRIMARY KEY,
    workflow_item_id integer NOT NULL REFERENCES workflow_items (id),
    user_id integer NOT NULL REFERENCES users (id),
    assigned_at timestamp NOT NULL,
    unassigned_at timestamp,
    CHECK (unassigned_at IS NULL OR unassigned_at >= assigned_at)
);
CREATE INDEX workflow_assignments_item_idx ON workflow_assignments (workflow_item_id);

-- ---------------------------------------------------------------- analytics, reports, system

CREATE TABLE analytics_metrics (
    id integer PRIMARY KEY,
    code varchar(40) NOT NULL UNIQUE,
    name varchar(120) NOT NULL,
    unit varchar(10) NOT NULL CHECK (unit IN ('usd', 'count', 'pct', 'days')),
    typical_value numeric(16, 2) NOT NULL CHECK (typical_value >= 0)
);

CREATE TABLE analytics_snapshots (
    id integer PRIMARY KEY,
    metric_id integer NOT NULL REFERENCES analytics_metrics (id),
    snapshot_date date NOT NULL,
    metric_value numeric(16, 2) NOT NULL,
    computed_at timestamp NOT NULL,
    UNIQUE (metric_id, snapshot_date)
);

CREATE TABLE report_configs (
    id integer PRIMARY KEY,
    owner_id integer NOT NULL REFERENCES users (id),
    name varchar(120) NOT NULL,
    report_type varchar(20) NOT NULL CHECK (report_type IN ('sales', 'ar_aging', 'inventory', 'purchasing', 'pnl', 'custom')),
    config text NOT NULL,
    schedule varchar(10) NOT NULL CHECK (schedule IN ('none', 'daily', 'weekly', 'monthly')),
    created_at timestamp NOT NULL
);

CREATE TABLE report_runs (
    id integer PRIMARY KEY,
    report_config_id integer NOT NULL REFERENCES report_configs (id),
    status varchar(10) NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at timestamp NOT NULL,
    finished_at timestamp,
    rows_returned integer CHECK (rows_returned >= 0),
    CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX report_runs_config_idx ON report_runs (report_config_id);

CREATE TABLE notifications (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    kind varchar(20) NOT NULL CHECK (kind IN ('mention', 'assignment', 'reminder', 'approval', 'system')),
    title varchar(200) NOT NULL,
    is_read boolean NOT NULL,
    created_at timestamp NOT NULL
);
CREATE INDEX notifications_user_idx ON notifications (user_id);

CREATE TABLE documents (
    id integer PRIMARY KEY,
    uploaded_by integer NOT NULL REFERENCES users (id),
    entity_type varchar(20) NOT NULL CHECK (entity_type IN ('client', 'vendor', 'purchase_order', 'invoice', 'batch')),
    entity_id integer NOT NULL,
    file_name varchar(200) NOT NULL,
    content_type varchar(100) NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    uploaded_at timestamp NOT NULL
);
CREATE INDEX documents_entity_idx ON documents (entity_type, entity_id);

CREATE TABLE email_templates (
    id integer PRIMARY KEY,
    code varchar(40) NOT NULL UNIQUE,
    subject varchar(200) NOT NULL,
    body text NOT NULL,
    is_active boolean NOT NULL,
    updated_at timestamp NOT NULL
);

CREATE TABLE system_settings (
    id integer PRIMARY KEY,
    setting_key varchar(80) NOT NULL UNIQUE,
    setting_value varchar(500) NOT NULL,
    description varchar(300),
    updated_by integer REFERENCES users (id),
    updated_at timestamp NOT NULL
);

CREATE TABLE audit_logs (
    id bigint PRIMARY KEY,
    user_id integer REFERENCES users (id),
    entity_type varchar(20) NOT NULL CHECK (entity_type IN ('client', 'sales_order', 'invoice', 'payment', 'product', 'purchase_order', 'user')),
    entity_id integer NOT NULL,
    action varchar(20) NOT NULL CHECK (action IN ('create', 'update', 'delete', 'view', 'export', 'login')),
    changes text,
    ip_address varchar(45),
    occurred_at timestamp NOT NULL
);
CREATE INDEX audit_logs_user_idx ON audit_logs (user_id);
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity_type, entity_id);

CREATE TABLE sequences (
    id integer PRIMARY KEY,
    name varchar(40) NOT NULL UNIQUE,
    prefix varchar(10) NOT NULL,
    current_value bigint NOT NULL CHECK (current_value >= 0),
    increment_by integer NOT NULL CHECK (increment_by > 0),
    updated_at timestamp NOT NULL
);
