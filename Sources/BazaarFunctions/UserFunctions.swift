internal import BazaarCore
internal import BazaarJSON

/// The user-account functions: signup, login, logout, profile, password, deactivation.
enum UserFunctions {
  static let all: [FunctionDefinition] = [
    signup, login, logout, getProfile, updateProfile, changePassword, deactivateAccount,
  ]

  static let signup = FunctionDefinition(
    name: "signup", summary: "Create a user account (email, password, optional name and phone).",
    route: Route("POST", "/users"), auth: .public, successStatus: 201, hashesPassword: true
  ) { input, context in
    let request = UserAccounts.Signup(
      email: input.string("email"), password: input.string("password"), name: input.optionalString("name"),
      phone: input.optionalString("phone"))
    try input.finish()
    return UserView(try context.services.accounts.signup(request))
  }

  static let login = FunctionDefinition(
    name: "login", summary: "Exchange email and password for a user access token.",
    route: Route("POST", "/users/auth"), auth: .public, hashesPassword: true
  ) { input, context in
    let email = input.string("email")
    let password = input.string("password")
    try input.finish()
    let (issued, user) = try context.services.accounts.login(
      email: email, password: password, client: context.client ?? "local")
    return TokenView(issued: issued, account: UserView(user))
  }

  static let logout = FunctionDefinition(
    name: "logout", summary: "Revoke the access token used for this call.",
    route: Route("DELETE", "/users/auth"), auth: .user
  ) { input, context in
    try input.finish()
    try context.services.accounts.logout(try context.requireCaller)
    return ["loggedOut": true] as JSONValue
  }

  static let getProfile = FunctionDefinition(
    name: "getProfile", summary: "Read the caller's own profile.",
    route: Route("GET", "/users/me"), auth: .user, readsOnly: true
  ) { input, context in
    try input.finish()
    return UserView(try context.services.accounts.profile(of: try context.requireCaller))
  }

  static let updateProfile = FunctionDefinition(
    name: "updateProfile", summary: "Change name, phone or default shipping address (null clears).",
    route: Route("PATCH", "/users/me"), auth: .user
  ) { input, context in
    let changes = UserAccounts.ProfileChanges(
      name: input.change("name"), phone: input.change("phone"),
      shippingAddress: input.objectChange("shippingAddress") { address in
        let parts = (
          address.string("recipient"), address.string("postalCode"), address.string("line1"),
          address.optionalString("line2")
        )
        try address.finish()
        return try ShippingAddress(
          recipient: parts.0, postalCode: parts.1, line1: parts.2, line2: parts.3, field: "shippingAddress")
      })
    try input.finish()
    return UserView(try context.services.accounts.updateProfile(of: try context.requireCaller, changes))
  }

  static let changePassword = FunctionDefinition(
    name: "changePassword", summary: "Replace the password; every other token of the account is revoked.",
    route: Route("PUT", "/users/me/password"), auth: .user, hashesPassword: true
  ) { input, context in
    let current = input.string("currentPassword")
    let new = input.string("newPassword")
    try input.finish()
    try context.services.accounts.changePassword(of: try context.requireCaller, current: current, new: new)
    return ["passwordChanged": true, "otherTokensRevoked": true] as JSONValue
  }

  static let deactivateAccount = FunctionDefinition(
    name: "deactivateAccount", summary: "Close the caller's account (password required); login then fails.",
    route: Route("DELETE", "/users/me"), auth: .user, hashesPassword: true
  ) { input, context in
    let password = input.string("password")
    try input.finish()
    return UserView(try context.services.accounts.deactivate(try context.requireCaller, password: password))
  }
}

/// The answer to a successful login: the token, its type and expiry, and the account it
/// speaks for (under `user` or `seller`).
struct TokenView: JSONRepresentable {
  var issued: IssuedToken
  var account: any JSONRepresentable

  var json: JSONValue {
    [
      "token": .string(issued.token), "tokenType": "Bearer", "expiresAt": .string(issued.claims.expiresAt.rfc3339),
      issued.claims.role.rawValue: account.json,
    ]
  }
}
