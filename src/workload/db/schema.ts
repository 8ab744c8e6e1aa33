// The RUBiS schema (../shared/spec/rubis.md, "Database"), described once and rendered for both
// backends: MariaDB (InnoDB, so writes are transactional) and SQLite. Dates are DATETIME columns
// holding 'YYYY-MM-DD HH:MM:SS' UTC text on both (SQLite stores the text; text in that format sorts
// chronologically), so the same statements and parameters work on both.

export type Dialect = 'mariadb' | 'sqlite';

type ColumnType = 'id' | 'int' | 'float' | 'text' | 'name' | 'datetime';

interface TableSpec {
  name: string;
  columns: [string, ColumnType][];
  /** [index name, columns, unique?] */
  indexes: [string, string[], boolean?][];
}

const ITEM_COLUMNS: [string, ColumnType][] = [
  ['id', 'id'],
  ['name', 'name'],
  ['description', 'text'],
  ['initial_price', 'float'],
  ['quantity', 'int'],
  ['reserve_price', 'float'],
  ['buy_now', 'float'],
  ['nb_of_bids', 'int'],
  ['max_bid', 'float'],
  ['start_date', 'datetime'],
  ['end_date', 'datetime'],
  ['seller', 'int'],
  ['category', 'int'],
];

export const TABLES: TableSpec[] = [
  {
    name: 'categories',
    columns: [
      ['id', 'id'],
      ['name', 'name'],
    ],
    indexes: [],
  },
  {
    name: 'regions',
    columns: [
      ['id', 'id'],
      ['name', 'name'],
    ],
    indexes: [],
  },
  {
    name: 'users',
    columns: [
      ['id', 'id'],
      ['firstname', 'name'],
      ['lastname', 'name'],
      ['nickname', 'name'],
      ['password', 'name'],
      ['email', 'name'],
      ['rating', 'int'],
      ['balance', 'float'],
      ['creation_date', 'datetime'],
      ['region', 'int'],
    ],
    indexes: [
      ['users_nickname', ['nickname'], true],
      ['users_auth', ['nickname', 'password']],
      ['users_region', ['region']],
    ],
  },
  {
    name: 'items',
    columns: ITEM_COLUMNS,
    indexes: [
      ['items_seller', ['seller']],
      ['items_category', ['category']],
    ],
  },
  {
    name: 'old_items',
    columns: ITEM_COLUMNS,
    indexes: [
      ['old_items_seller', ['seller']],
      ['old_items_category', ['category']],
    ],
  },
  {
    name: 'bids',
    columns: [
      ['id', 'id'],
      ['user_id', 'int'],
      ['item_id', 'int'],
      ['qty', 'int'],
      ['bid', 'float'],
      ['max_bid', 'float'],
      ['date', 'datetime'],
    ],
    indexes: [
      ['bids_item', ['item_id']],
      ['bids_user', ['user_id']],
    ],
  },
  {
    name: 'comments',
    columns: [
      ['id', 'id'],
      ['from_user_id', 'int'],
      ['to_user_id', 'int'],
      ['item_id', 'int'],
      ['rating', 'int'],
      ['date', 'datetime'],
      ['comment', 'text'],
    ],
    indexes: [
      ['comments_from', ['from_user_id']],
      ['comments_to', ['to_user_id']],
      ['comments_item', ['item_id']],
    ],
  },
  {
    name: 'buy_now',
    columns: [
      ['id', 'id'],
      ['buyer_id', 'int'],
      ['item_id', 'int'],
      ['qty', 'int'],
      ['date', 'datetime'],
    ],
    indexes: [
      ['buy_now_buyer', ['buyer_id']],
      ['buy_now_item', ['item_id']],
    ],
  },
];

export const TABLE_NAMES = TABLES.map((t) => t.name);

function columnSql(type: ColumnType, dialect: Dialect): string {
  if (dialect === 'sqlite') {
    switch (type) {
      case 'id':
        return 'INTEGER PRIMARY KEY'; // the rowid: auto-assigned when omitted
      case 'int':
        return 'INTEGER NOT NULL';
      case 'float':
        return 'REAL NOT NULL';
      case 'text':
      case 'name':
        return 'TEXT NOT NULL';
      case 'datetime':
        return 'DATETIME NOT NULL';
    }
  }
  switch (type) {
    case 'id':
      return 'INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY';
    case 'int':
      return 'INT NOT NULL';
    case 'float':
      return 'FLOAT NOT NULL';
    case 'text':
      return 'TEXT NOT NULL';
    case 'name':
      return 'VARCHAR(100) NOT NULL';
    case 'datetime':
      return 'DATETIME NOT NULL';
  }
}

/** CREATE TABLE statements (no indexes: bulk loading is faster before they exist). */
export function createTablesSql(dialect: Dialect): string[] {
  const suffix = dialect === 'mariadb' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : '';
  return TABLES.map(
    (t) =>
      `CREATE TABLE ${t.name} (${t.columns.map(([c, type]) => `${c} ${columnSql(type, dialect)}`).join(', ')})${suffix}`,
  );
}

export function createIndexesSql(): string[] {
  return TABLES.flatMap((t) =>
    t.indexes.map(
      ([name, cols, unique]) =>
        `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${t.name} (${cols.join(', ')})`,
    ),
  );
}

export function dropTablesSql(): string[] {
  return TABLES.map((t) => `DROP TABLE IF EXISTS ${t.name}`);
}

export function columnsOf(table: string): string[] {
  const t = TABLES.find((x) => x.name === table);
  if (!t) throw new Error(`unknown table ${table}`);
  return t.columns.map(([c]) => c);
}
