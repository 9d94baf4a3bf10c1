internal import BazaarCore
internal import BazaarJSON

extension ValidationFailure: ProblemConvertible {
  package var problem: Problem {
    let summary = errors.map(\.message).joined(separator: "; ")
    return Problem(
      status: 422, code: "validation_failed", title: "Validation failed", detail: summary, errors: errors)
  }
}

extension FieldError: ProblemConvertible {
  package var problem: Problem { ValidationFailure([self]).problem }
}

extension StoreBusy: ProblemConvertible {
  package var problem: Problem {
    Problem(
      status: 503, code: "store_busy", title: "Store busy",
      detail: reason + "; retry the request")
  }
}

extension StoreReadOnly: ProblemConvertible {
  package var problem: Problem {
    Problem(
      status: 503, code: "store_read_only", title: "Store read-only",
      detail: "the database file or its directory is not writable (permissions, a read-only disk); "
        + "retry once an operator has made it writable")
  }
}

extension StoreMissing: ProblemConvertible {
  package var problem: Problem {
    Problem(status: 500, code: "store_missing", title: "Store missing", detail: detail)
  }
}

extension AuthError: ProblemConvertible {
  package var problem: Problem {
    switch self {
    case .missingToken:
      Problem(
        status: 401, code: "unauthenticated", title: "Unauthenticated",
        detail: "this function needs a bearer token (Authorization header, BAZAAR_TOKEN or --token)")
    case .malformedToken(let why):
      Problem(status: 401, code: "token_invalid", title: "Invalid token", detail: "the token is malformed: \(why)")
    case .unsupportedAlgorithm(let alg):
      Problem(
        status: 401, code: "token_invalid", title: "Invalid token",
        detail: "the token's algorithm \(alg.prefix(20)) is not accepted; only HS256 is")
    case .badSignature:
      Problem(
        status: 401, code: "token_invalid", title: "Invalid token", detail: "the token's signature does not match")
    case .expired:
      Problem(status: 401, code: "token_expired", title: "Token expired", detail: "the token has expired; log in again")
    case .notYetValid:
      Problem(
        status: 401, code: "token_not_yet_valid", title: "Token not yet valid",
        detail: "the token's nbf is in the future")
    case .revoked:
      Problem(status: 401, code: "token_revoked", title: "Token revoked", detail: "the token was revoked; log in again")
    case .wrongRole(let role):
      Problem(
        status: 403, code: "forbidden_role", title: "Forbidden",
        detail: "this function is for \(role.rawValue) accounts; the token is for another kind")
    }
  }
}

extension AccountError: ProblemConvertible {
  package var problem: Problem {
    switch self {
    case .emailTaken:
      Problem(
        status: 409, code: "email_taken", title: "Email taken", detail: "an account with this email already exists")
    case .businessNumberTaken:
      Problem(
        status: 409, code: "business_number_taken", title: "Business number taken",
        detail: "a seller with this business registration number is already registered")
    case .invalidCredentials:
      Problem(
        status: 401, code: "invalid_credentials", title: "Invalid credentials",
        detail: "the email or password is wrong")
    case .accountInactive:
      Problem(
        status: 403, code: "account_inactive", title: "Account inactive", detail: "this account was deactivated")
    case .accountBlocked:
      Problem(
        status: 403, code: "account_blocked", title: "Account blocked", detail: "this account was blocked by the shop")
    case .userNotFound:
      Problem(status: 404, code: "user_not_found", title: "User not found", detail: "the token's user does not exist")
    case .sellerNotFound:
      Problem(
        status: 404, code: "seller_not_found", title: "Seller not found", detail: "the token's seller does not exist")
    case .wrongPassword:
      Problem(
        status: 403, code: "wrong_password", title: "Wrong password", detail: "the current password is not correct")
    case .openOrders:
      Problem(
        status: 409, code: "open_orders", title: "Open orders",
        detail: "paid orders still wait for your shipments; ship them (or let the buyers cancel) before withdrawing")
    case .tooManyAttempts(let seconds):
      Problem(
        status: 429, code: "too_many_attempts", title: "Too many attempts",
        detail: "too many failed sign-ins for this account; try again in \(seconds) seconds",
        extensions: ["retryAfter": .integer(seconds)], retryAfter: seconds)
    }
  }
}

extension CatalogError: ProblemConvertible {
  package var problem: Problem {
    switch self {
    case .productNotFound:
      Problem(
        status: 404, code: "product_not_found", title: "Product not found",
        detail: "no product with this id is for sale (it never existed, was deleted, or its seller left)")
    case .notProductOwner:
      Problem(
        status: 403, code: "not_product_owner", title: "Not the product's owner",
        detail: "only the seller who owns this product may change it")
    case .stockBelowReserved(let requested, let reserved):
      Problem(
        status: 409, code: "stock_below_reserved", title: "Stock below reserved",
        detail: "stock cannot be \(requested): open orders hold \(reserved) units of this product")
    case .stockOutOfRange(let requested):
      Problem(
        status: 409, code: "stock_out_of_range", title: "Stock out of range",
        detail: "stock would become \(requested); it must stay from 0 to \(ProductRules.stockRange.upperBound)")
    case .variantNotFound:
      Problem(
        status: 404, code: "variant_not_found", title: "Variant not found",
        detail: "this product has no variant with this id (it never existed or was deleted)")
    case .skuTaken(let sku):
      Problem(
        status: 409, code: "sku_taken", title: "SKU taken",
        detail: "another of your variants has the SKU \(sku); SKUs are unique per seller")
    case .variantExists:
      Problem(
        status: 409, code: "variant_exists", title: "Variant exists",
        detail: "a variant of this product already has these option values; change that one instead")
    case .tooManyVariants(let limit):
      Problem(
        status: 409, code: "too_many_variants", title: "Too many variants",
        detail: "a product has at most \(limit) variants; delete one first")
    case .lastVariant:
      Problem(
        status: 409, code: "last_variant", title: "Last variant",
        detail: "a product keeps at least one variant; delete the product instead")
    case .imagesUnavailable:
      Problem(
        status: 503, code: "images_unavailable", title: "Images unavailable",
        detail: "this program links no image processor; upload through bazaar, which does")
    case .imageNotFound:
      Problem(
        status: 404, code: "image_not_found", title: "Image not found",
        detail: "this product has no photo with this id (it never existed or was deleted)")
    case .mediaNotFound:
      Problem(
        status: 404, code: "media_not_found", title: "Media not found",
        detail: "no stored photo has this name; names are the SHA-256 of the bytes and the format's extension")
    case .tooManyImages(let limit):
      Problem(
        status: 409, code: "too_many_images", title: "Too many images",
        detail: "a product has at most \(limit) photos; delete one first")
    case .unsupportedImage(let declared, let found):
      Problem(
        status: 415, code: "unsupported_media_type", title: "Unsupported media type",
        detail: found.map { "the file is \($0.contentType), not \(declared ?? "what was declared")" }
          ?? "the file is no JPEG, PNG or WebP image (judged by its own bytes)")
    case .imageTooLarge(let width, let height):
      Problem(
        status: 422, code: "image_too_large", title: "Image too large",
        detail:
          "the image declares \(width) × \(height) pixels; at most \(ImageRules.maxPixels / 1_000_000) megapixels "
          + "are taken")
    case .imageBytesTooMany(let limit):
      Problem.payloadTooLarge(limit: limit)
    case .imageUnreadable(let reason):
      Problem(
        status: 422, code: "invalid_image", title: "Invalid image",
        detail: "the image could not be read: \(reason)")
    }
  }
}

extension OrderError: ProblemConvertible {
  package var problem: Problem {
    switch self {
    case .orderNotFound:
      Problem(
        status: 404, code: "order_not_found", title: "Order not found",
        detail: "you have no order with this id")
    case .outOfStock(let lines):
      Problem(
        status: 409, code: "out_of_stock", title: "Out of stock",
        detail: "not enough stock for \(lines.count) line(s); nothing was reserved", extensions: ["items": lines.json])
    case .productUnavailable(let lines):
      Problem(
        status: 409, code: "product_unavailable", title: "Product unavailable",
        detail: "\(lines.count) line(s) name a product that is not for sale (unknown, deleted, or its seller left)",
        extensions: ["items": lines.json])
    case .notCancelable(let status):
      Problem(
        status: 409, code: "order_not_cancelable", title: "Order not cancelable",
        detail: "the order is \(status.rawValue); only an order waiting for payment can be canceled")
    case .invalidTransition(let status, let transition):
      Problem(
        status: 409, code: "order_state_conflict", title: "Order state conflict",
        detail: "an order that is \(status.rawValue) cannot \(transition.rawValue)")
    case .totalTooLarge:
      Problem(
        status: 422, code: "total_too_large", title: "Total too large", detail: "the order's total is too large")
    }
  }
}

extension [OrderError.Shortfall] {
  /// `[{productId, variantId?, requested, available}]`.
  fileprivate var json: JSONValue {
    .array(
      map { shortfall in
        var line: [String: JSONValue] = [
          "productId": .string(shortfall.productID), "requested": .integer(shortfall.requested),
          "available": .integer(shortfall.available),
        ]
        if let variant = shortfall.variantID { line["variantId"] = .string(variant) }
        return .object(line)
      })
  }
}

extension StoreInvariantBroken: ProblemConvertible {
  /// A broken invariant is a bug: an opaque 500, with the details in the log only.
  package var problem: Problem { .internalError }
}

extension PaymentError: ProblemConvertible {
  package var problem: Problem {
    switch self {
    case .notConfigured(let reason):
      Problem(
        status: 500, code: "payment_not_configured", title: "Payments not configured",
        detail: "this shop cannot take payments: \(reason)")
    case .orderNotPayable(let status, let expired):
      Problem(
        status: 409, code: "order_not_payable", title: "Order not payable",
        detail: expired
          ? "the order expired unpaid; place it again"
          : "the order is \(status.rawValue); only an order waiting for payment can be paid")
    case .inProgress:
      Problem(
        status: 409, code: "payment_in_progress", title: "Payment in progress",
        detail: "the order's payment is being approved right now; read it again in a moment (getPayment)")
    case .paymentNotFound:
      Problem(
        status: 404, code: "payment_not_found", title: "Payment not found",
        detail: "the order has no payment yet; start one with pay")
    case .invalidState:
      Problem(
        status: 404, code: "payment_state_invalid", title: "Payment state invalid",
        detail: "state does not name a payment of this shop; nothing was changed")
    case .gatewayUnavailable(let reason):
      Problem(
        status: 503, code: "payment_gateway_unavailable", title: "Payment gateway unavailable",
        detail: "KakaoPay did not answer (\(reason)); the outcome is settled through KakaoPay, try again shortly")
    case .gatewayRejected(let code, let message):
      Problem(
        status: 502, code: "payment_gateway_rejected", title: "Payment gateway refused",
        detail: "KakaoPay refused the request: \(message)",
        extensions: code == 0 ? [:] : ["gatewayCode": .integer(Int64(code))])
    case .refundRefused(let reason):
      Problem(
        status: 409, code: "refund_refused", title: "Refund refused",
        detail: "KakaoPay refused the refund (\(reason)); the order stays paid")
    }
  }
}

extension ShipmentError: ProblemConvertible {
  package var problem: Problem {
    switch self {
    case .shipmentNotFound:
      Problem(
        status: 404, code: "shipment_not_found", title: "Shipment not found",
        detail: "no shipment with this id concerns you")
    case .invalidTransition(let from, let to):
      Problem(
        status: 409, code: "shipment_state_conflict", title: "Shipment state conflict",
        detail: "a shipment that is \(from.rawValue) cannot become \(to.rawValue)")
    case .orderNotShippable(let status):
      Problem(
        status: 409, code: "order_not_shippable", title: "Order not shippable",
        detail: "the order is \(status.rawValue); only a paid order is shipped")
    case .alreadyShipped:
      Problem(
        status: 409, code: "already_shipped", title: "Already shipped",
        detail: "a shipment of this order has started; it can no longer be canceled")
    case .trackingRequired:
      Problem(
        status: 422, code: "tracking_required", title: "Tracking required",
        detail: "a manual shipment needs its carrier and tracking number")
    }
  }
}

extension IdempotencyError: ProblemConvertible {
  package var problem: Problem {
    switch self {
    case .keyReused:
      Problem(
        status: 422, code: "idempotency_key_reused", title: "Idempotency key reused",
        detail: "this idempotency key was used with another request; use a new key for a new request")
    }
  }
}
