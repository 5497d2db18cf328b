"""옵션: up to three groups of values (사이즈: S, M, L), and their combinations with their own 추가 금액,
재고 and 판매 여부. The one place that knows how a product's options are saved, priced and chosen.

- Saving reconciles what the form sends with what is stored: a group keeps its id by position, a value
  by its name, else by its position among the unmatched (a renamed value), so a renamed value keeps its
  combinations, their stock and the orders that bought them. Combinations are all the values' products;
  one whose value was removed is deleted (past order lines keep their ``option_text``).
- A combination's 재고 changes from the form only if orders did not change it since the form was shown
  (the same guard as a product's stock); the product's own stock is kept as the sum of the combinations
  on sale, so every list and the stock guard keep reading one column.
- A buyer's choice is checked here whatever the page sent: each group's value must exist and the
  combination must be on sale with a unit left.
"""

import itertools
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from .extensions import db
from .models import Product, ProductOption, ProductOptionValue, ProductVariant
from .numbers import parse_won

MAX_GROUPS = 3
MAX_VALUES = 20
MAX_COMBINATIONS = 100
NAME_LENGTH = 30
SEPARATOR = " / "  # between the values of a combination, as the buyer reads it ("M / 블랙")


class OptionError(ValueError):
    """A choice of options the shop refuses; ``str(exc)`` is a message for the merchant or the buyer."""


@dataclass
class Group:
    """One 옵션명 and its 옵션값, as typed."""

    name: str
    values: list[str]


@dataclass
class Row:
    """What the form says of one combination: 추가 금액, 재고 (and the 재고 it showed), 판매 여부."""

    extra_price: int = 0
    stock: int = 0
    stock_seen: int | None = None
    on_sale: bool = True


@dataclass
class Options:
    """The 옵션 part of the product form."""

    enabled: bool = False
    groups: list[Group] = field(default_factory=list)
    # keyed by :func:`row_key`: "v<id>" for a stored combination, "n<S|블랙>" for one made by this save
    rows: dict[str, Row] = field(default_factory=dict)


def parse_extra(text: str) -> int | None:
    """추가 금액 as typed ("1,000", "-500원", "+2000"), or None when it is not a whole number of won."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "").removesuffix("원")
    sign = -1 if cleaned.startswith("-") else 1
    amount = parse_won(cleaned.lstrip("+-")) if cleaned[:1] in "+-" else parse_won(cleaned)
    return None if amount is None else sign * amount


def parse_groups(text: str) -> list[Group] | None:
    """옵션 as one cell of a file ("사이즈: S, M, L / 색상: 블랙, 화이트"); None when it is not written so."""
    groups = []
    for part in text.split("/"):
        name, colon, values = part.partition(":")
        if not colon or not name.strip() or not split_values(values):
            return None
        groups.append(Group(name.strip()[:NAME_LENGTH], split_values(values)))
    return groups


def every_combination(groups: list[Group], stock: int) -> dict[str, Row]:
    """Each combination of ``groups`` with the same 재고 (a row of a file names one number for all)."""
    return {row_key(None, names): Row(stock=stock) for names in itertools.product(*(g.values for g in groups))}


def split_values(text: str) -> list[str]:
    """옵션값 typed as "S, M, L" (commas, or one per line), blanks and repeats dropped."""
    values = [part.strip()[:NAME_LENGTH] for part in text.replace("\n", ",").split(",")]
    return list(dict.fromkeys(value for value in values if value))


def row_key(variant: ProductVariant | None = None, names: tuple[str, ...] = ()) -> str:
    return f"v{variant.id}" if variant is not None and variant.id else "n" + "|".join(names)


def check(groups: list[Group]) -> str | None:
    """Why these groups cannot be saved (a message), or None."""
    if not groups:
        return str(_l("Add at least one option with its values, or turn options off."))
    if len(groups) > MAX_GROUPS:
        return str(_l("Up to %(n)d options.", n=MAX_GROUPS))
    for group in groups:
        if not group.name or not group.values:
            return str(_l("Give each option a name and at least one value."))
        if len(group.values) > MAX_VALUES:
            return str(_l("Up to %(n)d values per option.", n=MAX_VALUES))
    if len({group.name for group in groups}) < len(groups):
        return str(_l("Two options have the same name."))
    if combination_count(groups) > MAX_COMBINATIONS:
        return str(_l("Up to %(n)d combinations.", n=MAX_COMBINATIONS))
    return None


def combination_count(groups: list[Group]) -> int:
    count = 1
    for group in groups:
        count *= max(len(group.values), 1)
    return count


def save(product: Product, options: Options) -> None:
    """Store the form's options on ``product`` (flushes). Raises :class:`OptionError` for what cannot be
    saved; the caller rolls back."""
    product.options_enabled = options.enabled
    if not options.enabled:
        return
    problem = check(options.groups)
    if problem:
        raise OptionError(problem)
    _reconcile_groups(product, options.groups)
    db.session.flush()  # new values get their ids
    wanted = {}
    for position, values in enumerate(itertools.product(*(option.values for option in product.options))):
        key = ".".join(str(value.id) for value in values)
        wanted[key] = (position, tuple(value.name for value in values))
    kept = {variant.value_key: variant for variant in product.variants if variant.value_key in wanted}
    for variant in list(product.variants):
        if variant.value_key not in wanted:
            product.variants.remove(variant)
    for key, (position, names) in wanted.items():
        variant = kept.get(key)
        if variant is None:
            variant = ProductVariant(value_key=key, label="", stock_quantity=0)
            product.variants.append(variant)
        row = options.rows.get(row_key(variant, names))
        if row is None and variant.id is None:
            row = options.rows.get(row_key(None, names))
        if row is None:  # not on the form (made by this save, or the form predates it): as it is
            row = Row(variant.extra_price or 0, variant.stock_quantity or 0, variant.stock_quantity, variant.on_sale)
        if row.extra_price < -product.price:
            raise OptionError(str(_l("An extra amount cannot take the price below 0원: %(label)s", label=label(names))))
        variant.position, variant.label = position, label(names)
        variant.extra_price, variant.on_sale = row.extra_price, row.on_sale
        _set_stock(product, variant, row)
    if not any(variant.on_sale for variant in product.variants):
        raise OptionError(str(_l("At least one combination must be on sale (or set the product to not displayed).")))
    db.session.flush()
    sync_stock(product)


def label(names: tuple[str, ...]) -> str:
    return SEPARATOR.join(names)[:100]


def _reconcile_groups(product: Product, groups: list[Group]) -> None:
    stored = list(product.options)
    for position, group in enumerate(groups):
        if position < len(stored):
            option = stored[position]
        else:
            option = ProductOption()
            product.options.append(option)
        option.position, option.name = position, group.name[:NAME_LENGTH]
        _reconcile_values(option, group.values)
    for option in stored[len(groups) :]:
        product.options.remove(option)


def match_values(stored: list[tuple[int, str]], names: list[str]) -> list[int | None]:
    """For each typed name, the stored value (id) it is: the one of that name; else the stored value at the
    same place whose own name is gone (a renamed value, "S, M, L" → "Small, M, L"); else None (a new
    value). "S, M, L" → "M, L, XL" is S removed and XL added: XL takes nothing of S."""
    by_name = {name: value_id for value_id, name in stored}
    matched = []
    for position, name in enumerate(names):
        if name in by_name:
            matched.append(by_name[name])
        elif position < len(stored) and stored[position][1] not in names:
            matched.append(stored[position][0])
        else:
            matched.append(None)
    return matched


def _reconcile_values(option: ProductOption, names: list[str]) -> None:
    stored = {value.id: value for value in option.values}
    matched = match_values([(value.id, value.name) for value in option.values], names)
    chosen = []
    for position, (name, value_id) in enumerate(zip(names, matched, strict=True)):
        value = stored[value_id] if value_id is not None else ProductOptionValue()
        value.name, value.position = name, position
        chosen.append(value)
    option.values[:] = chosen


def table(product: Product | None, groups: list[Group]) -> list[tuple[str, str, ProductVariant | None]]:
    """The combinations the typed groups make, for the form's table: (row key, label, stored combination).
    A stored combination is found through the same matching as :func:`save`, so a renamed value shows
    its combinations' stock."""
    if check(groups) is not None:
        return []
    stored_options = list(product.options) if product is not None else []
    per_group = []
    for position, group in enumerate(groups):
        option = stored_options[position] if position < len(stored_options) else None
        ids = match_values([(v.id, v.name) for v in option.values], group.values) if option else []
        per_group.append(list(zip(group.values, ids or [None] * len(group.values), strict=True)))
    variants = {variant.value_key: variant for variant in product.variants} if product is not None else {}
    rows = []
    for combination in itertools.product(*per_group):
        names = tuple(name for name, _ in combination)
        ids = [value_id for _, value_id in combination]
        variant = variants.get(".".join(map(str, ids))) if None not in ids else None
        rows.append((row_key(variant, names), label(names), variant))
    return rows


def _set_stock(product: Product, variant: ProductVariant, row: Row) -> None:
    if not product.stock_managed or row.stock == variant.stock_quantity:
        return
    if variant.id is None or row.stock_seen is None:
        variant.stock_quantity = row.stock
        return
    changed = db.session.execute(
        sa.update(ProductVariant)
        .where(ProductVariant.id == variant.id, ProductVariant.stock_quantity == row.stock_seen)
        .values(stock_quantity=row.stock)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(variant, ["stock_quantity"])
    if not changed:
        raise OptionError(
            str(
                _l(
                    "Orders changed the stock of %(label)s while you were editing: it is now %(n)d. "
                    "Check it and save again.",
                    label=variant.label,
                    n=variant.stock_quantity,
                )
            )
        )


def sync_stock(product: Product) -> None:
    """The product's stock as the sum of its combinations on sale (under 재고관리)."""
    if not product.has_options:
        return
    total = (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(ProductVariant.stock_quantity), 0)).where(
                ProductVariant.product_id == product.id, ProductVariant.on_sale.is_(True)
            )
        )
        if product.stock_managed
        else 0
    )
    db.session.execute(
        sa.update(Product)
        .where(Product.id == product.id)
        .values(stock_quantity=total)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(product, ["stock_quantity"])


# -- the buyer's side --------------------------------------------------------------------------


def unit_price(product: Product, variant: ProductVariant | None) -> int:
    """판매가 plus the combination's 추가 금액."""
    return product.price + (variant.extra_price if variant is not None else 0)


def chosen_variant(product: Product, values: dict[str, str]) -> ProductVariant:
    """The combination a buyer chose with one value per group (``{"option-<group id>": "<value id>"}``,
    as the product page's selects send it). Raises :class:`OptionError` with a message for the buyer."""
    if not product.has_options:
        raise OptionError(str(_l("This product has no options.")))
    ids = []
    for option in product.options:
        raw = values.get(f"option-{option.id}", "")
        value = next((value for value in option.values if str(value.id) == raw), None)
        if value is None:
            raise OptionError(str(_l("Choose %(name)s.", name=option.name)))
        ids.append(str(value.id))
    key = ".".join(ids)
    variant = next((variant for variant in product.variants if variant.value_key == key), None)
    if variant is None or not variant.on_sale:
        raise OptionError(str(_l("This combination is not on sale.")))
    if not variant.in_stock():
        raise OptionError(str(_l("%(label)s is sold out. Choose another.", label=variant.label)))
    return variant


def variant_by_id(product: Product, variant_id: int | None) -> ProductVariant | None:
    """The product's combination of that id, while it sells with options (turned off, none is)."""
    if not product.has_options:
        return None
    return next((variant for variant in product.variants if variant.id == variant_id), None)


def for_page(product: Product) -> list[dict]:
    """The combinations as the product page's script reads them: values, 추가 금액, and whether buyable."""
    return [
        {"values": variant.value_ids, "extra": variant.extra_price, "available": variant.available()}
        for variant in product.variants
    ]


def single_choice(product: Product) -> dict[int, ProductVariant]:
    """With one 옵션 group, each value's combination (its select can say (품절) without a script)."""
    if len(product.options) != 1:
        return {}
    return {variant.value_ids[0]: variant for variant in product.variants if variant.value_ids}


def state(product: Product) -> str:
    """상품 관리's word for the combinations' stock: "" (all have units), "partly" (일부 품절), "all" (품절)."""
    if not product.has_options or not product.stock_managed:
        return ""
    on_sale = [variant for variant in product.variants if variant.on_sale]
    empty = [variant for variant in on_sale if variant.stock_quantity == 0]
    if on_sale and len(empty) == len(on_sale):
        return "all"
    return "partly" if empty else ""
