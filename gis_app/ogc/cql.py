"""CQL2 filters (OGC API Features Part 3) as a parameterised SQL condition.

Parsing is pygeofilter's (CQL2 text and CQL2 JSON); this module only walks its syntax tree
and writes SQL in which every literal is a bound parameter and every property is one of the
collection's queryables, so a filter can never inject SQL or reach a column it should not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import lark.exceptions
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from gis_app.errors import BadRequest
from gis_app.ingest import jsontext
from gis_app.ogc.crs import ServedCrs

GEOMETRY_NAMES = ("geometry", "geom")
"""What a filter may call the collection's geometry."""
_COMPARISON = {
    ast.ComparisonOp.EQ: "=",
    ast.ComparisonOp.NE: "<>",
    ast.ComparisonOp.LT: "<",
    ast.ComparisonOp.LE: "<=",
    ast.ComparisonOp.GT: ">",
    ast.ComparisonOp.GE: ">=",
}
_SPATIAL = {
    ast.SpatialComparisonOp.INTERSECTS: "ST_Intersects",
    ast.SpatialComparisonOp.DISJOINT: "ST_Disjoint",
    ast.SpatialComparisonOp.CONTAINS: "ST_Contains",
    ast.SpatialComparisonOp.WITHIN: "ST_Within",
    ast.SpatialComparisonOp.TOUCHES: "ST_Touches",
    ast.SpatialComparisonOp.CROSSES: "ST_Crosses",
    ast.SpatialComparisonOp.OVERLAPS: "ST_Overlaps",
    ast.SpatialComparisonOp.EQUALS: "ST_Equals",
}
_ARITHMETIC = {
    ast.ArithmeticOp.ADD: "+",
    ast.ArithmeticOp.SUB: "-",
    ast.ArithmeticOp.MUL: "*",
    ast.ArithmeticOp.DIV: "/",
}
_FUNCTIONS = {"lower": "lower", "upper": "upper", "casei": "lower"}
"""CQL2 functions we translate; pygeofilter reads CASEI(x) as lower(x)."""


def _bad(reason: str, **values: object) -> BadRequest:
    return BadRequest(field="filter", reason=f"reason.ogc.{reason}", **values)


@dataclass
class _Sql(Evaluator):
    """Writes SQL text with `:name` binds for SQLAlchemy's `text()`."""

    columns: Mapping[str, str]
    geometry_crs: ServedCrs
    prefix: str = "cql"
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def _geometry(self, geojson: Mapping[str, Any]) -> str:
        """A literal geometry in the filter's CRS, moved to storage (EPSG:4490, lon first)."""
        crs = self.geometry_crs
        literal = self.bind(json.dumps(geojson))
        shape = f"ST_SetSRID(ST_GeomFromGeoJSON(CAST({literal} AS text)), {crs.srid})"
        if crs.swap_axes:
            shape = f"ST_FlipCoordinates({shape})"
        return f"ST_Transform({shape}, 4490)"

    @handle(ast.Not)
    def not_(self, _node: ast.Not, sub: str) -> str:
        return f"(NOT {sub})"

    @handle(ast.And, ast.Or)
    def combination(self, node: ast.Combination, lhs: str, rhs: str) -> str:
        return f"({lhs} {node.op.value} {rhs})"

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node: ast.Comparison, lhs: str, rhs: str) -> str:
        return f"({lhs} {_COMPARISON[node.op]} {rhs})"

    @handle(ast.Between)
    def between(self, node: ast.Between, lhs: str, low: str, high: str) -> str:
        return f"({lhs} {'NOT ' if node.not_ else ''}BETWEEN {low} AND {high})"

    @handle(ast.Like)
    def like(self, node: ast.Like, lhs: str) -> str:
        """CQL2 LIKE: % any run, _ one character, backslash escapes (as in SQL)."""
        pattern = self.bind(node.pattern)
        return f"({lhs} {'NOT ' if node.not_ else ''}LIKE {pattern} ESCAPE '\\')"

    @handle(ast.In)
    def in_(self, node: ast.In, lhs: str, *options: str) -> str:
        return f"({lhs} {'NOT ' if node.not_ else ''}IN ({', '.join(options)}))"

    @handle(ast.IsNull)
    def null(self, node: ast.IsNull, lhs: str) -> str:
        return f"({lhs} IS {'NOT ' if node.not_ else ''}NULL)"

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial(self, node: ast.SpatialComparisonPredicate, lhs: str, rhs: str) -> str:
        return f"{_SPATIAL[node.op]}({lhs}, {rhs})"

    @handle(ast.BBox)
    def bbox(self, node: ast.BBox, lhs: str) -> str:
        box = values.Envelope(node.minx, node.maxx, node.miny, node.maxy)
        return f"ST_Intersects({lhs}, {self._geometry(box.geometry)})"

    @handle(ast.Attribute)
    def attribute(self, node: ast.Attribute) -> str:
        if node.name in GEOMETRY_NAMES:
            return "t.geom"
        if node.name not in self.columns:
            raise _bad("unknown_property", name=node.name, known=", ".join(self.columns))
        return self.columns[node.name]

    @handle(ast.Arithmetic, subclasses=True)
    def arithmetic(self, node: ast.Arithmetic, lhs: str, rhs: str) -> str:
        return f"({lhs} {_ARITHMETIC[node.op]} {rhs})"

    @handle(ast.Function)
    def function(self, node: ast.Function, *arguments: str) -> str:
        name = node.name.lower()
        if name == "bbox" and len(node.arguments) == 4:
            for bound in arguments:
                del self.params[bound.removeprefix(":")]
            west, south, east, north = node.arguments
            return self._geometry(values.Envelope(west, east, south, north).geometry)
        if name not in _FUNCTIONS:
            raise _bad("unknown_function", name=node.name)
        return f"{_FUNCTIONS[name]}({', '.join(arguments)})"

    @handle(values.Geometry)
    def geometry(self, node: values.Geometry) -> str:
        return self._geometry(node.geometry)

    @handle(values.Envelope)
    def envelope(self, node: values.Envelope) -> str:
        return self._geometry(node.geometry)

    @handle(str, int, float, bool)
    def literal(self, node: object) -> str:
        return self.bind(node)

    def adopt(self, node: object, *_sub_args: object) -> str:
        raise _bad("unsupported", what=type(node).__name__)


def _as_pygeofilter_reads(node: Any) -> Any:
    """CQL2 JSON 1.0 in the shape pygeofilter 0.4 reads: `{"bbox": [w, s, e, n]}` as a
    GeoJSON polygon (it puts the four numbers in the wrong corners) and BETWEEN's bounds
    as a pair (`[x, low, high]` → `[x, [low, high]]`, the draft form it expects)."""
    if isinstance(node, dict):
        if set(node) == {"bbox"} and isinstance(node["bbox"], list) and len(node["bbox"]) == 4:
            return values.Envelope(*(node["bbox"][i] for i in (0, 2, 1, 3))).geometry
        out = {k: _as_pygeofilter_reads(v) for k, v in node.items()}
        args = out.get("args")
        if out.get("op") == "between" and isinstance(args, list) and len(args) == 3:
            out["args"] = [args[0], [args[1], args[2]]]
        return out
    if isinstance(node, list):
        return [_as_pygeofilter_reads(v) for v in node]
    return node


def parse(text: str, lang: str) -> ast.Node:
    """The syntax tree of a filter in `lang` ("cql2-text" or "cql2-json"; the draft name
    "cql-text" is read as CQL2 text); 400 naming `filter` when it does not parse."""
    try:
        if lang == "cql2-json":
            return parse_json(_as_pygeofilter_reads(jsontext.loads(text)))
        return parse_text(text)
    except (lark.exceptions.LarkError, ValueError, TypeError, KeyError) as exc:
        raise _bad("syntax", language=lang, detail=str(exc).strip().splitlines()[0][:200]) from exc


def to_sql(
    tree: ast.Node, columns: Mapping[str, str], crs: ServedCrs, prefix: str = "cql"
) -> tuple[str, dict[str, Any]]:
    """The condition and its bind values. `columns` maps queryable names to SQL."""
    writer = _Sql(columns, crs, prefix)
    return writer.evaluate(tree), writer.params
