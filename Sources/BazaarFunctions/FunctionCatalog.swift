/// Every function Bazaar offers: the one source of truth for `bazaar functions`, the shims
/// in `functions/`, and the HTTP route table (`RouteTable`), which every runner serves.
package enum FunctionCatalog {
  /// All functions, in catalog order.
  package static let all: [FunctionDefinition] =
    UserFunctions.all + SellerFunctions.all + ProductFunctions.all + OrderFunctions.all
    + PaymentFunctions.all + ShipmentFunctions.all

  /// The function called `name`, if any.
  package static func named(_ name: String) -> FunctionDefinition? {
    all.first { $0.name == name }
  }
}
