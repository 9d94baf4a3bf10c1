package import BazaarCore
package import BazaarJSON

/// A user as handlers return it: never the password hash; absent fields are `null`.
package struct UserView: JSONRepresentable {
  package var user: User

  package init(_ user: User) {
    self.user = user
  }

  package var json: JSONValue {
    [
      "id": .string(user.id.rawValue), "email": .string(user.email.value), "name": user.name.json,
      "phone": user.phone.json, "shippingAddress": user.shippingAddress.map { $0.json } ?? .null,
      "status": .string(user.status.rawValue), "createdAt": .string(user.createdAt.rfc3339),
      "updatedAt": .string(user.updatedAt.rfc3339),
    ]
  }
}

extension ShippingAddress {
  /// `{"recipient", "postalCode", "line1", "line2"}` with `line2` null when empty.
  var json: JSONValue {
    [
      "recipient": .string(recipient), "postalCode": .string(postalCode), "line1": .string(line1),
      "line2": line2.json,
    ]
  }
}
