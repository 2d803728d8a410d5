-- Why an order needs a person, as data the bridge can act on (JSON of its `Attention` type);
-- `attention_reason` keeps the sentence a person reads. Rows written before this migration
-- have only the sentence, and are read from it.
ALTER TABLE orders ADD COLUMN attention TEXT;
-- The region found for the delivery address and how (JSON of `Located`), decided when the
-- order arrives or changes; empty for orders stored before, which are located when shipped.
ALTER TABLE orders ADD COLUMN region TEXT;
