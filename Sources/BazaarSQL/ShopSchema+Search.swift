extension ShopSchema {
  /// SQLite's word-prefix search over products' names and descriptions: an FTS5 index with
  /// external content (no second copy of the text), kept in step by triggers.
  package static let sqliteProductSearch = """
    CREATE VIRTUAL TABLE products_search USING fts5 (
      name, description, content = 'products', content_rowid = 'seq',
      tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
    );
    CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
      INSERT INTO products_search (rowid, name, description) VALUES (new.seq, new.name, new.description);
    END;
    CREATE TRIGGER products_search_update AFTER UPDATE OF name, description ON products BEGIN
      INSERT INTO products_search (products_search, rowid, name, description)
        VALUES ('delete', old.seq, old.name, old.description);
      INSERT INTO products_search (rowid, name, description) VALUES (new.seq, new.name, new.description);
    END;
    CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
      INSERT INTO products_search (products_search, rowid, name, description)
        VALUES ('delete', old.seq, old.name, old.description);
    END;
    """

  /// PostgreSQL's product search: words as 'simple' finds them (no stemming, so Korean and every
  /// other language are matched by word prefix, as SQLite's FTS5 index does), without diacritics
  /// (unaccent, a trusted extension the database's owner may create), as FTS5's unicode61. The
  /// products' `search` column and its GIN index use it.
  static let postgresSearchConfiguration = """
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
    CREATE TEXT SEARCH CONFIGURATION bazaar_search (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION bazaar_search
      ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword,
        hword_numpart
      WITH public.unaccent, pg_catalog.simple;
    """

  /// Schedulers LISTEN on `bazaar_outbox`: a commit that adds events wakes them (PostgreSQL
  /// delivers the notification at commit).
  static let postgresOutboxNotification = """
    CREATE FUNCTION bazaar_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('bazaar_outbox', ''); RETURN NULL; END $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION bazaar_outbox_notify();
    """
}
