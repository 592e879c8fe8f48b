-- One line per table: row count and an md5 over every benchmark column, in id order.
-- Rows created by Q3 (client ffff...) are left out. Run against both databases.
SET TimeZone = 'UTC';
SELECT 'product_category', count(*),
       md5(string_agg(concat_ws('|', id, enabled, description), ',' ORDER BY id))
FROM product_category;
SELECT 'product', count(*),
       md5(string_agg(concat_ws('|', id, name, price, category_id, client_id, created_at,
                                updated_at), ',' ORDER BY id))
FROM product WHERE client_id IS DISTINCT FROM 'ffffffff-ffff-ffff-ffff-ffffffffffff';
