package import BazaarCore
package import BazaarJSON

/// Who may call a function.
package enum AuthPolicy: String, Sendable, CaseIterable {
  /// Anyone; a token, if sent, is ignored.
  case `public`
  /// A valid, unrevoked token with `role: user`.
  case user
  /// A valid, unrevoked token with `role: seller`.
  case seller

  /// The role the token must carry, if any.
  package var requiredRole: Role? {
    switch self {
    case .public: nil
    case .user: .user
    case .seller: .seller
    }
  }
}

/// Where a function answers over HTTP: the gateway's route table is built from these.
package struct Route: Sendable, Equatable {
  package var method: String
  package var path: String

  package init(_ method: String, _ path: String) {
    self.method = method
    self.path = path
  }
}

/// Everything a running handler may use: the caller, the request id and the use cases.
package struct FunctionContext: Sendable {
  /// The verified caller; nil for public functions.
  package var caller: AccessClaims?
  package var requestID: String
  package var services: Services

  /// The caller of a function whose policy demanded a token.
  package var requireCaller: AccessClaims {
    get throws {
      guard let caller else { throw AuthError.missingToken }
      return caller
    }
  }
}

/// The use cases a handler can reach, built by the executable from live adapters.
package struct Services: Sendable {
  package var accounts: UserAccounts
  package var sellers: SellerAccounts
  package var catalog: ProductCatalog
  package var authenticator: Authenticator

  package init(accounts: UserAccounts, sellers: SellerAccounts, catalog: ProductCatalog, authenticator: Authenticator) {
    self.accounts = accounts
    self.sellers = sellers
    self.catalog = catalog
    self.authenticator = authenticator
  }
}

/// One function of the catalog: its contract (name, route, policy) and its handler.
package struct FunctionDefinition: Sendable {
  /// The contract name, as in `bazaar invoke NAME` and `functions/NAME`.
  package var name: String
  /// One line saying what it does.
  package var summary: String
  package var route: Route
  package var auth: AuthPolicy
  /// The HTTP status of a success (200, or 201 when something is created).
  package var successStatus: Int
  /// Reads the input (calling `finish()` before acting), runs the use case and returns the output.
  package var handle: @Sendable (inout InputReader, FunctionContext) throws -> any JSONRepresentable

  package init(
    name: String, summary: String, route: Route, auth: AuthPolicy, successStatus: Int = 200,
    handle: @escaping @Sendable (inout InputReader, FunctionContext) throws -> any JSONRepresentable
  ) {
    self.name = name
    self.summary = summary
    self.route = route
    self.auth = auth
    self.successStatus = successStatus
    self.handle = handle
  }
}
