/// The id of a user account: `usr_` followed by a time-ordered random id.
package struct UserID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }

  /// A new id from `ids`.
  package init(from ids: any IDGenerator) {
    rawValue = "usr_" + ids.next()
  }

  package var description: String { rawValue }
}
