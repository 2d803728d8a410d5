-- Returns, replacements and exchanges: the ShaQ packages made after delivery, kept with their
-- order (JSON of its `LinkedPackage`s), and every reference a ShaQ webhook may name them by, so
-- their courier news reach the order.
ALTER TABLE orders ADD COLUMN linked_packages TEXT;
CREATE TABLE package_refs (
    reference TEXT PRIMARY KEY,
    order_key TEXT NOT NULL
);
