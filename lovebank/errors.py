from enum import StrEnum


class LoveBankError(StrEnum):
    UNKNOWN_MEMBER = "unknown-member"
    MEMBER_CLOSED = "member-closed"
    MEMBER_ELSEWHERE = "member-of-another-shop"  # closed, erased, exported only where the account was opened
    BAD_MEMBER_NAME = "bad-member-name"
    BAD_NOTES = "bad-member-notes"
    MEMBER_HAS_POINTS = "member-has-points"
    UNKNOWN_SERVICE_TYPE = "unknown-service-type"
    BAD_SERVICE_DATE = "bad-service-date"
    BAD_SERVICE_TIME = "bad-service-time"
    BAD_PLACE = "bad-place"
    BAD_CONTENT = "bad-content"
    BAD_WITNESS = "bad-witness"
    BAD_HOURS = "bad-hours"
    UNKNOWN_SERVICE = "unknown-service"
    OWN_SERVICE = "own-service"
    ALREADY_DECIDED = "already-decided"
    BAD_REASON = "bad-correction-reason"
    NOT_REVERSIBLE = "not-reversible"
    NOT_ENOUGH_POINTS = "not-enough-points"
    UNKNOWN_GIFT = "unknown-gift"
    BAD_POINTS = "bad-points"
    GIFT_TO_SELF = "gift-to-self"
    BAD_NOTE = "bad-gift-note"
    OWN_ENTRY = "own-entry"
    REQUEST_DECIDED = "request-already-decided"
    UNKNOWN_REVERSAL = "unknown-reversal"
    REVERSAL_PENDING = "reversal-pending"
    # the wish wall (微心愿, lovebank/wishes.py, pos/wishes.py)
    UNKNOWN_WISH = "unknown-wish"
    BAD_WISH_TEXT = "bad-wish-text"
    BAD_WISH_KIND = "bad-wish-kind"
    BAD_WISH_STATUS = "bad-wish-status"
    BAD_WISH_NOTE = "bad-wish-note"
    WISH_CLAIMER = "wish-claimer"
    WISH_CLAIMED = "wish-already-claimed"
    WISH_NOT_POSTED = "wish-not-posted"
    WISH_NOT_CLAIMED = "wish-not-claimed"
    WISH_FULFILLED = "wish-already-fulfilled"
    WISH_NOT_FULFILLED = "wish-not-fulfilled"
    WISH_WRONG_WAY = "wish-wrong-way"
    WISH_NO_GOODS = "wish-no-goods"
    WISH_OUT_OF_STOCK = "wish-out-of-stock"
    WISH_FUND_SHORT = "wish-fund-short"
    WISH_NOT_THEIR_DONATION = "wish-not-their-donation"
    # services for points, with vouchers (lovebank/vouchers.py)
    BAD_OFFER_NAME = "bad-offer-name"
    OFFER_PROVIDER = "offer-provider"  # exactly one of a providing member and a partner's name
    UNKNOWN_OFFER = "unknown-offer"
    OFFER_WITHDRAWN = "offer-withdrawn"
    OWN_OFFER = "own-offer"  # a member redeeming a service they provide themselves
    UNKNOWN_VOUCHER = "unknown-voucher"
    VOUCHER_SETTLED = "voucher-settled"  # delivered or cancelled already: once only
    VOUCHER_KEY_REUSED = "voucher-key-reused"
    STAFF_LINKED = "staff-already-linked"  # the login already has a member: unlink it first
    MEMBER_LINKED = "member-already-linked"  # the member is another login's
    NOT_LINKED = "staff-not-linked"
    BAD_SKILL = "bad-skill"
    TOO_MANY_SKILLS = "too-many-skills"
    CARD_REPLACED = "card-replaced"  # a lost card's old code, scanned after a new card was given
    SERVICE_KEY_REUSED = "service-key-reused"
