internal import BazaarJSON
internal import Foundation
internal import GRDB

/// One sandbox payment, as its table holds it.
struct SandboxPayment {
  var tid: String
  var cid: String
  var partnerOrderID: String
  var partnerUserID: String
  var itemName: String
  var quantity: Int64
  var total: Int64
  var taxFree: Int64
  var vat: Int64
  var approvalURL: String
  var cancelURL: String
  var failURL: String
  var status: String
  var pgToken: String?
  var aid: String?
  var canceled: Int64
  var createdAt: Double
  var expiresAt: Double
  var approvedAt: Double?
  var canceledAt: Double?

  /// The members every answer about this payment carries.
  var common: [String: JSONValue] {
    [
      "tid": .string(tid), "cid": .string(cid), "status": .string(status),
      "partner_order_id": .string(partnerOrderID), "partner_user_id": .string(partnerUserID),
      "payment_method_type": "MONEY", "item_name": .string(itemName), "quantity": .integer(quantity),
      "created_at": .string(KakaoPaySandbox.kst(Date(timeIntervalSince1970: createdAt))),
      "approved_at": approvedAt.map { .string(KakaoPaySandbox.kst(Date(timeIntervalSince1970: $0))) } ?? .null,
      "canceled_at": canceledAt.map { .string(KakaoPaySandbox.kst(Date(timeIntervalSince1970: $0))) } ?? .null,
    ]
  }

  /// An amount object whose total is `total` (VAT in proportion, no points or discounts).
  func amount(_ value: Int64) -> JSONValue {
    let vatShare = total == 0 ? 0 : vat * value / total
    let taxFreeShare = total == 0 ? 0 : taxFree * value / total
    return [
      "total": .integer(value), "tax_free": .integer(taxFreeShare), "vat": .integer(vatShare), "point": 0,
      "discount": 0, "green_deposit": 0,
    ]
  }
}

/// The sandbox's table and its reads and writes.
enum SandboxStore {
  static let migrator: DatabaseMigrator = {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("2026-11-27-sandbox-payments") { db in
      try db.execute(
        sql: """
          CREATE TABLE payments (
            tid TEXT PRIMARY KEY NOT NULL, cid TEXT NOT NULL, partner_order_id TEXT NOT NULL,
            partner_user_id TEXT NOT NULL, item_name TEXT NOT NULL, quantity INTEGER NOT NULL,
            total INTEGER NOT NULL CHECK (total > 0), tax_free INTEGER NOT NULL, vat INTEGER NOT NULL,
            approval_url TEXT NOT NULL, cancel_url TEXT NOT NULL, fail_url TEXT NOT NULL, status TEXT NOT NULL,
            pg_token TEXT, aid TEXT, canceled INTEGER NOT NULL DEFAULT 0 CHECK (canceled BETWEEN 0 AND total),
            created_at REAL NOT NULL, expires_at REAL NOT NULL, approved_at REAL, canceled_at REAL
          ) STRICT
          """)
    }
    return migrator
  }()

  static func find(_ tid: String, _ db: Database) throws -> SandboxPayment? {
    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM payments WHERE tid = ?", arguments: [tid]) else {
      return nil
    }
    return SandboxPayment(
      tid: row["tid"], cid: row["cid"], partnerOrderID: row["partner_order_id"], partnerUserID: row["partner_user_id"],
      itemName: row["item_name"], quantity: row["quantity"], total: row["total"], taxFree: row["tax_free"],
      vat: row["vat"], approvalURL: row["approval_url"], cancelURL: row["cancel_url"], failURL: row["fail_url"],
      status: row["status"], pgToken: row["pg_token"], aid: row["aid"], canceled: row["canceled"],
      createdAt: row["created_at"], expiresAt: row["expires_at"], approvedAt: row["approved_at"],
      canceledAt: row["canceled_at"])
  }

  /// The payment `tid` of merchant `cid`; -721 when there is none.
  static func payment(_ tid: String, cid: String, _ db: Database) throws -> SandboxPayment {
    guard let payment = try find(tid, db), payment.cid == cid else {
      throw SandboxError(status: 400, code: -721, message: "no payment with this tid")
    }
    return payment
  }

  static func save(_ payment: SandboxPayment, _ db: Database) throws {
    try db.execute(
      sql: """
        UPDATE payments SET status = ?, pg_token = ?, aid = ?, canceled = ?, approved_at = ?, canceled_at = ?
        WHERE tid = ?
        """,
      arguments: [
        payment.status, payment.pgToken, payment.aid, payment.canceled, payment.approvedAt, payment.canceledAt,
        payment.tid,
      ])
  }
}
