-- The dataset of ../shared/bench/sql/schema.sql, loaded into the catalog's own tables
-- (created by `manage.py migrate`). Same ids and values, same generate_series
-- expressions; categories get the timestamps the catalog model requires.
BEGIN;
TRUNCATE product, product_category;

INSERT INTO product_category (id, enabled, description, created_at, updated_at)
SELECT 'cat-' || lpad(i::text, 2, '0'), (i % 5) <> 0, 'Category number ' || i,
       timestamptz '2024-01-01 00:00:00+00', timestamptz '2024-01-01 00:00:00+00'
FROM generate_series(0, 19) AS i;

INSERT INTO product (id, name, price, category_id, client_id, created_at, updated_at)
SELECT md5('product-' || i)::uuid,
       'Product ' || i,
       round(((i * 7919) % 100000) / 100.0 + 1, 2),
       'cat-' || lpad((i % 20)::text, 2, '0'),
       md5('client-' || (i % 10))::uuid,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, 10000) AS i;
COMMIT;

VACUUM (ANALYZE) product;
VACUUM (ANALYZE) product_category;
