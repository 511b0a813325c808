"""Constrained decoding: every step allows only the tokens that continue a valid value of its slot.

The rows of a batch are decoded together, one token per step, with the model's key/value cache.
Each row has its own layout (which slot each position is, from :meth:`RowCodec.layout`) and its
own forced tokens (the column tokens, and the values of given columns); the free positions are
sampled from the model's distribution restricted to the slot's tokens, with these rules on top:

- a digit may make the number larger than the column's largest only while the digits before it
  are below the largest's (``tight`` rows keep to its digits);
- a day is at most the days of the row's month, and a date's parts keep between the earliest and
  the latest real value's (``tight_lo`` / ``tight_hi`` rows keep to their parts);
- after ``NULL`` the column's other slots are ``FILL``;
- ``no_null`` (n, C) forbids ``NULL`` where a value must be filled (imputation).

Each free token is drawn by inverting the masked softmax's cumulative sum at one uniform per row from a
numpy Generator, so the same seed gives the same rows.
"""

from __future__ import annotations

import numpy as np

from .codec import FILL, NULL, RowCodec, days_in_month


def decode(
    model,
    codec: RowCodec,
    tokens: np.ndarray,
    slots: np.ndarray,
    rng: np.random.Generator,
    temperature: float = 1.0,
    no_null: np.ndarray | None = None,
    device="cpu",
) -> np.ndarray:
    """Fill the free (-1) positions of ``tokens`` (n, T) by constrained sampling; returns the full tokens."""
    import torch

    n, T = tokens.shape
    out = tokens.copy()
    if n == 0:
        return out
    allowed = torch.from_numpy(codec.allowed).to(device)
    tok_digit = torch.from_numpy(codec.token_digit).to(device)
    tok_day = torch.from_numpy(codec.token_day).to(device)
    digit_slot, bound, day_slot = codec.digit_slot, codec.bound, codec.day_slot
    first, nullable, slot_col = codec.first_slot, codec.nullable_slot, codec.slot_column
    part_base, year_base = codec.part_base, codec.value_base
    years0 = np.array([c["years"][0] if c["kind"] == "date" else 0 for c in codec.columns] + [0])
    date_low, date_high = codec.date_low, codec.date_high
    max_digit = int(codec.token_digit.max())
    group_of, groups = codec.slot_group, codec.groups
    year_bases = np.array([b if b is not None else 0 for b in year_base])
    all_tokens = torch.arange(codec.vocab_size, device=device)
    sub_vocab = [
        torch.cat([torch.arange(a, b), torch.tensor([NULL] if len(nl) else [], dtype=torch.long)]).to(device)
        for a, b, nl in groups
    ]
    head = getattr(model, "lm_head", None)
    fast = head is not None and getattr(head, "bias", None) is None and hasattr(model, "transformer")
    head_weight = head.weight if fast else None
    tight = np.ones(n, dtype=bool)
    tight_lo = np.ones(n, dtype=bool)  # a date's parts so far equal the earliest value's
    tight_hi = np.ones(n, dtype=bool)  # ... the latest value's
    null_now = np.zeros(n, dtype=bool)
    year = np.full(n, 1970)
    month = np.ones(n, dtype=np.int64)
    rows = np.arange(n)
    past = None
    cur = torch.from_numpy(out[:, :1]).to(device)
    with torch.no_grad():
        for t in range(1, T):
            s = slots[:, t]
            forced = out[:, t]
            free = forced < 0
            is_first = first[s]
            tight = np.where(is_first, True, tight)
            tight_lo = np.where(is_first, True, tight_lo)
            tight_hi = np.where(is_first, True, tight_hi)
            null_now = np.where(is_first, False, null_now)
            if fast:
                step = model.transformer(input_ids=cur, cache=past, use_cache=True)
                hidden = step.last_hidden_state[:, -1, :]
            else:
                step = model(input_ids=cur, cache=past, use_cache=True)
            past = step.cache
            if free.any():
                # the tokens to score: one slot group's (every free row at the same kind of slot), else all
                g = np.unique(group_of[s[free]])
                cols = sub_vocab[g[0]] if len(g) == 1 and g[0] >= 0 else all_tokens
                if fast:
                    logits = (hidden @ head_weight[cols].T).float()
                else:
                    logits = step.logits[:, -1, :].float()[:, cols]
                mask = allowed[:, cols][torch.from_numpy(s).to(device)]
                dpos = digit_slot[s]
                rule = (dpos >= 0) & tight
                if rule.any():
                    bound_t = torch.from_numpy(np.where(rule, bound[s], max_digit)).to(device)[:, None]
                    mask &= ~(tok_digit[cols][None, :] > bound_t)
                lo_rule = (date_low[s] >= 0) & tight_lo
                hi_rule = (date_high[s] >= 0) & tight_hi
                if lo_rule.any() or hi_rule.any():
                    lo = torch.from_numpy(np.where(lo_rule, date_low[s], 0)).to(device)[:, None]
                    hi = torch.from_numpy(np.where(hi_rule, date_high[s], codec.vocab_size)).to(device)[:, None]
                    keep = ((cols[None, :] >= lo) & (cols[None, :] <= hi)) | (cols == NULL)[None, :]
                    mask &= keep
                if day_slot[s].any():
                    dim = np.where(day_slot[s], days_in_month(year, month), 31)
                    mask &= tok_day[cols][None, :] <= torch.from_numpy(dim).to(device)[:, None]
                if no_null is not None:
                    col = slot_col[s]
                    ban = nullable[s] & (col >= 0) & no_null[rows, np.maximum(col, 0)]
                    if ban.any():
                        mask &= ~(torch.from_numpy(ban).to(device)[:, None] & (cols == NULL)[None, :])
                mask &= cols[None, :] != FILL
                logits = logits.masked_fill(~mask, float("-inf"))
                if temperature <= 0:
                    pick = torch.argmax(logits, dim=1)
                else:
                    probs = torch.softmax(logits.double() / temperature, dim=1)
                    cdf = torch.cumsum(probs, dim=1)
                    u = torch.from_numpy(rng.random(n)).to(device, cdf.dtype)[:, None] * cdf[:, -1:]
                    pick = (cdf < u).sum(dim=1).clamp_(max=probs.shape[1] - 1)
                    # a token of zero probability is never picked (cdf ties): step to the next allowed one
                    pick = torch.where(mask.gather(1, pick[:, None])[:, 0], pick, torch.argmax(probs, dim=1))
                pick = cols[pick].cpu().numpy()
                choice = np.where(free, pick, forced)
            else:
                choice = forced
            choice = np.where(null_now & ~is_first & (slot_col[s] >= 0), FILL, choice)
            out[:, t] = choice
            null_now = null_now | (is_first & (choice == NULL))
            dpos = digit_slot[s]
            is_digit = dpos >= 0
            tight = np.where(is_digit, tight & (codec.token_digit[choice] == bound[s]), tight)
            dated = date_low[s] >= 0
            tight_lo = np.where(dated, tight_lo & (choice == date_low[s]), tight_lo)
            tight_hi = np.where(dated, tight_hi & (choice == date_high[s]), tight_hi)
            col = slot_col[s]
            date_col = (col >= 0) & (codec.kind_code[np.maximum(col, 0)] == 2)
            y_first = date_col & is_first & (choice != NULL)
            if y_first.any():
                base = year_bases[np.maximum(col, 0)]
                year = np.where(y_first, choice - base + years0[np.maximum(col, 0)], year)
            m_slot = date_col & (choice >= part_base["month"]) & (choice < part_base["month"] + 12)
            month = np.where(m_slot & ~first[s], choice - part_base["month"] + 1, month)
            cur = torch.from_numpy(choice[:, None]).to(device)
    return out
