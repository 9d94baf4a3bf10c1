internal import BazaarCore
internal import KakaoPay

/// The payment gateway adapter this binary links (KakaoPay over URLSession), for every wiring
/// it does. `bazaar-fn` links none and hands the payment functions to this binary.
let kakaoPay: PaymentGatewayFactory = { KakaoPayGateway($0) }
