package import BazaarCore
package import BazaarJSON

/// The seller-account functions: registration, sign-in and out, profile, withdrawal.
enum SellerFunctions {
  static let all: [FunctionDefinition] = [
    registerSeller, sellerLogin, sellerLogout, getSellerProfile, withdrawSeller,
  ]

  static let registerSeller = FunctionDefinition(
    name: "registerSeller",
    summary: "Register a seller: email, password, business name and business registration number.",
    route: Route("POST", "/sellers"), auth: .public, successStatus: 201, hashesPassword: true
  ) { input, context in
    let request = SellerAccounts.Registration(
      email: input.string("email"), password: input.string("password"),
      businessName: input.string("businessName"), businessNumber: input.string("businessNumber"))
    try input.finish()
    return SellerView(try context.services.sellers.register(request))
  }

  static let sellerLogin = FunctionDefinition(
    name: "sellerLogin", summary: "Exchange a seller's email and password for a seller access token.",
    route: Route("POST", "/sellers/auth"), auth: .public, hashesPassword: true
  ) { input, context in
    let email = input.string("email")
    let password = input.string("password")
    try input.finish()
    let (issued, seller) = try context.services.sellers.login(
      email: email, password: password, client: context.client ?? "local")
    return TokenView(issued: issued, account: SellerView(seller))
  }

  static let sellerLogout = FunctionDefinition(
    name: "sellerLogout", summary: "Revoke the seller access token used for this call.",
    route: Route("DELETE", "/sellers/auth"), auth: .seller
  ) { input, context in
    try input.finish()
    try context.services.sellers.logout(try context.requireCaller)
    return ["loggedOut": true] as JSONValue
  }

  static let getSellerProfile = FunctionDefinition(
    name: "getSellerProfile", summary: "Read the calling seller's own account.",
    route: Route("GET", "/sellers/me"), auth: .seller, readsOnly: true
  ) { input, context in
    try input.finish()
    return SellerView(try context.services.sellers.profile(of: try context.requireCaller))
  }

  static let withdrawSeller = FunctionDefinition(
    name: "withdrawSeller",
    summary: "Withdraw the calling seller (password required): its products stop being listed or sold.",
    route: Route("DELETE", "/sellers/me"), auth: .seller, hashesPassword: true
  ) { input, context in
    let password = input.string("password")
    try input.finish()
    return SellerView(try context.services.sellers.withdraw(try context.requireCaller, password: password))
  }
}

/// A seller as handlers return it: never the password hash.
package struct SellerView: JSONRepresentable {
  var seller: Seller

  package init(_ seller: Seller) {
    self.seller = seller
  }

  package var json: JSONValue {
    [
      "id": .string(seller.id.rawValue), "email": .string(seller.email.value),
      "businessName": .string(seller.businessName), "businessNumber": .string(seller.businessNumber.formatted),
      "status": .string(seller.status.rawValue), "fulfillment": .string(seller.fulfillment.rawValue),
      "createdAt": .string(seller.createdAt.rfc3339),
      "updatedAt": .string(seller.updatedAt.rfc3339),
    ]
  }
}
