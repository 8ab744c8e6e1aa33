// Every SQL statement the web tier runs, by name. The SQL is portable between MariaDB and SQLite:
// `LIMIT offset, count`, CASE instead of GREATEST, dates as 'YYYY-MM-DD HH:MM:SS' parameters
// (the web tier's clock, not the database's NOW(), so both backends see the same times).
// In UPDATEs, an assignment that reads a column the same statement also assigns comes first,
// because MariaDB evaluates single-table assignments left to right with updated values, and SQLite
// with old values; ordered this way both read the old value.

const ITEM_LIST = 'id, name, initial_price, max_bid, nb_of_bids, end_date';
const ITEM_ALL =
  'id, name, description, initial_price, quantity, reserve_price, buy_now, nb_of_bids, max_bid, start_date, end_date, seller, category';

export const STATEMENTS = {
  categories: 'SELECT id, name FROM categories ORDER BY id',
  regions: 'SELECT id, name FROM regions ORDER BY id',
  categoryById: 'SELECT id, name FROM categories WHERE id = ?',
  regionById: 'SELECT id, name FROM regions WHERE id = ?',
  regionByName: 'SELECT id, name FROM regions WHERE name = ?',

  // Authentication, as RUBiS: nickname and password in clear (it is a benchmark, not a shop).
  auth: 'SELECT id FROM users WHERE nickname = ? AND password = ?',
  userByNickname: 'SELECT id FROM users WHERE nickname = ?',
  userById:
    'SELECT id, firstname, lastname, nickname, email, rating, balance, creation_date, region FROM users WHERE id = ?',
  userNickname: 'SELECT id, nickname FROM users WHERE id = ?',
  insertUser:
    'INSERT INTO users (firstname, lastname, nickname, password, email, rating, balance, creation_date, region) ' +
    'VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)',

  searchItemsInCategory: `SELECT ${ITEM_LIST} FROM items WHERE category = ? AND end_date >= ? ORDER BY end_date LIMIT ?, ?`,
  searchItemsInRegion:
    'SELECT items.id, items.name, items.initial_price, items.max_bid, items.nb_of_bids, items.end_date ' +
    'FROM items, users WHERE items.category = ? AND items.seller = users.id AND users.region = ? ' +
    'AND items.end_date >= ? ORDER BY items.end_date LIMIT ?, ?',

  itemById: `SELECT ${ITEM_ALL} FROM items WHERE id = ?`,
  oldItemById: `SELECT ${ITEM_ALL} FROM old_items WHERE id = ?`,
  maxBidOfItem: 'SELECT MAX(bid) AS bid, COUNT(*) AS bids FROM bids WHERE item_id = ?',
  bidHistory:
    'SELECT bids.user_id, bids.bid, bids.date, users.nickname FROM bids, users ' +
    'WHERE bids.item_id = ? AND bids.user_id = users.id ORDER BY bids.date DESC',
  commentsToUser:
    'SELECT comments.from_user_id, comments.rating, comments.date, comments.comment, users.nickname ' +
    'FROM comments, users WHERE comments.to_user_id = ? AND comments.from_user_id = users.id ORDER BY comments.date DESC',

  // Buy now: take the quantity only if enough is left; an item sold out ends now.
  buyItem:
    'UPDATE items SET end_date = CASE WHEN quantity <= ? THEN ? ELSE end_date END, quantity = quantity - ? ' +
    'WHERE id = ? AND quantity >= ? AND end_date >= ?',
  insertBuyNow: 'INSERT INTO buy_now (buyer_id, item_id, qty, date) VALUES (?, ?, ?, ?)',

  insertBid: 'INSERT INTO bids (user_id, item_id, qty, bid, max_bid, date) VALUES (?, ?, ?, ?, ?, ?)',
  updateItemBid:
    'UPDATE items SET max_bid = CASE WHEN max_bid < ? THEN ? ELSE max_bid END, nb_of_bids = nb_of_bids + 1 WHERE id = ?',

  insertComment:
    'INSERT INTO comments (from_user_id, to_user_id, item_id, rating, date, comment) VALUES (?, ?, ?, ?, ?, ?)',
  updateUserRating: 'UPDATE users SET rating = rating + ? WHERE id = ?',

  insertItem:
    'INSERT INTO items (name, description, initial_price, quantity, reserve_price, buy_now, nb_of_bids, max_bid, ' +
    'start_date, end_date, seller, category) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)',

  // About me: the user's bids on open auctions, items won and bought lately, items on sale and sold.
  aboutMeBids:
    'SELECT items.id, items.name, items.initial_price, items.max_bid, items.nb_of_bids, items.end_date, ' +
    'MAX(bids.max_bid) AS my_max_bid FROM bids, items WHERE bids.user_id = ? AND bids.item_id = items.id ' +
    'AND items.end_date >= ? GROUP BY items.id, items.name, items.initial_price, items.max_bid, items.nb_of_bids, items.end_date',
  aboutMeWon:
    'SELECT old_items.id, old_items.name, old_items.max_bid, old_items.end_date FROM bids, old_items ' +
    'WHERE bids.user_id = ? AND bids.item_id = old_items.id AND old_items.end_date >= ? ' +
    'GROUP BY old_items.id, old_items.name, old_items.max_bid, old_items.end_date',
  aboutMeBought:
    'SELECT buy_now.item_id, buy_now.qty, buy_now.date, items.name FROM buy_now, items ' +
    'WHERE buy_now.buyer_id = ? AND buy_now.item_id = items.id AND buy_now.date >= ?',
  aboutMeSelling: `SELECT ${ITEM_LIST} FROM items WHERE seller = ? AND end_date >= ?`,
  aboutMeSold: `SELECT ${ITEM_LIST} FROM old_items WHERE seller = ? AND end_date >= ?`,

  // Counts the client emulator needs (how many users and items exist to pick from).
  countUsers: 'SELECT COUNT(*) AS n FROM users',
} as const;

export type StatementName = keyof typeof STATEMENTS;

export function isStatementName(name: string): name is StatementName {
  return Object.prototype.hasOwnProperty.call(STATEMENTS, name);
}
