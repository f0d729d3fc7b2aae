"""A cell plan (:mod:`cellsdocs.analysis.cellplan`) rendered: Markdown for the "Add a cell" guide
(``cell_plan`` macro, whole or one part), plain text for ``cells-docs cell plan NAME``."""

from __future__ import annotations

from collections.abc import Callable

from cellsdocs.analysis.cellplan import CellPlan
from cellsdocs.errors import CellsDocsError
from cellsdocs.escaping import code_block
from cellsdocs.markdown import code, table, text

__all__ = ["PLAN_PARTS", "plan_markdown", "plan_text"]


def _sizes(plan: CellPlan) -> str:
    return ", ".join(f"{size:,} IDs ({count} cell{'s' if count != 1 else ''})" for size, count in plan.size_counts)


#: the parts of :func:`plan_markdown`, in page order
PLAN_PARTS = ("facts", "toml", "rules", "checks")


def plan_markdown(plan: CellPlan, part: str = "all", *, rule_set_link: Callable[[str], str] | None = None) -> str:
    """The plan (or one of :data:`PLAN_PARTS`) as Markdown: facts, the TOML to add, the affected
    rules, the checks to run."""
    if part == "all":
        return "\n".join(plan_markdown(plan, p, rule_set_link=rule_set_link) for p in PLAN_PARTS)
    link: Callable[[str], str] = rule_set_link or code
    if part == "facts":
        facts = [
            ["Name", code(plan.name)],
            ["Id", f"{code(plan.id)} (one more than the highest id in use)"],
            ["Session prefix", f"{code(plan.session_prefix)} (convention: {text(plan.prefix_convention)})"],
            [
                "Sequence range",
                f"{code(f'{plan.sequence_min:,}')} to {code(f'{plan.sequence_max:,}')}: {plan.usual_size:,} IDs, "
                f"the usual size (sizes in use: {text(_sizes(plan))})",
            ],
            ["Address", f"{code(plan.address)} ({text(plan.address_note)})"],
        ]
        return table(["Fact", "Value"], facts)
    if part == "toml":
        return f"Append to {code(plan.config_file)}:\n\n" + code_block(plan.toml, "toml")
    if part == "rules":
        out = []
        if plan.affected:
            rows = []
            for rule in plan.affected:
                active = " (active)" if rule.rule_set == plan.active_rule_set else ""
                pattern = code(rule.pattern) if rule.pattern else "–"
                rows.append(
                    [
                        link(rule.rule_set) + text(active),
                        text(rule.rule),
                        code(rule.classify_type),
                        pattern,
                        text(rule.verdict),
                    ]
                )
            out.append(table(["Rule set", "Rule", "Routes by", "Pattern", "With the new cell"], rows))
        else:
            out.append("No rule set routes by session prefix or cell id: no rule needs to change.\n")
        unaffected = [name for name in plan.rule_sets if name not in {r.rule_set for r in plan.affected}]
        if unaffected:
            out.append("\nNot affected (they never name a cell): " + ", ".join(link(n) for n in unaffected) + ".\n")
        return "".join(out)
    if part == "checks":
        lines = [f"# {why}\n{cmd}" for cmd, why in plan.checks]
        return code_block("\n\n".join(lines), "sh")
    raise CellsDocsError(f"unknown part {part!r} of a cell plan", hint=f"use one of: all, {', '.join(PLAN_PARTS)}")


def plan_text(plan: CellPlan) -> str:
    """The plan as plain text for the terminal (``cells-docs cell plan``)."""
    lines = [
        f"new cell:        {plan.name}",
        f"id:              {plan.id} (one more than the highest id in use)",
        f"session prefix:  {plan.session_prefix} (convention: {plan.prefix_convention})",
        f"sequence range:  {plan.sequence_min:,} to {plan.sequence_max:,} ({plan.usual_size:,} IDs, the usual size;"
        f" in use: {_sizes(plan)})",
        f"address:         {plan.address} ({plan.address_note})",
        "",
        f"append to {plan.config_file}:",
        "",
        plan.toml,
        "",
    ]
    if plan.affected:
        lines.append("rule sets affected:")
        for rule in plan.affected:
            active = " (active)" if rule.rule_set == plan.active_rule_set else ""
            where = f"{rule.source}:{rule.line}" if rule.line else rule.source
            lines.append(f"  {rule.rule_set}{active} {rule.rule} [{where}]: {rule.classify_type}, {rule.verdict}")
    else:
        lines.append("rule sets affected: none (no rule routes by session prefix or cell id)")
    lines.append("")
    lines.append("then run:")
    lines.extend(f"  {cmd:60}  # {why}" for cmd, why in plan.checks)
    return "\n".join(lines)
