-- One row the readiness check writes after a failed write, to know when writes work again.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY,
    at BIGINT  NOT NULL
);
