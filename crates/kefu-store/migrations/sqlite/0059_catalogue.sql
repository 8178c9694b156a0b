-- 产品与配件目录 — the catalogue complaints, orders and RMAs name: categories, products,
-- parts with their part numbers 料号 and where each is used, and price lists 价格表.
-- Money is integer fen with its currency; codes are stored upper-cased.
CREATE TABLE product_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    category_id INTEGER NOT NULL REFERENCES product_categories (id),
    price_fen INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    warranty_months INTEGER NOT NULL DEFAULT 0,
    serial_tracked INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);
CREATE INDEX products_category ON products (category_id, sku);
CREATE INDEX products_name ON products (name);

CREATE TABLE parts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    part_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    cost_fen INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    unit TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);
CREATE INDEX parts_name ON parts (name);

-- 适用产品 — where a part is used, how many per product.
CREATE TABLE part_uses (
    part_id INTEGER NOT NULL REFERENCES parts (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL,
    PRIMARY KEY (part_id, product_id)
);
CREATE INDEX part_uses_product ON part_uses (product_id, part_id);

-- 价格表 — to which customer type and when; NULL customer_type: given by name only.
CREATE TABLE price_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    customer_type TEXT,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    currency TEXT NOT NULL DEFAULT 'CNY',
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);

CREATE TABLE price_list_items (
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    price_fen INTEGER NOT NULL,
    PRIMARY KEY (price_list_id, product_id)
);
CREATE INDEX price_list_items_product ON price_list_items (product_id, price_list_id);
