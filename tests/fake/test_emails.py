"""E-mails: ja_JP names romanized as the locale does; duplicate rates."""

import re

import pytest

from simulacra.fake import Fake


def test_ja_jp_names_use_the_locale_romanization():
    fake = Fake(locale="ja_JP", seed=1)
    names = ["鈴木 京助", "佐藤 晃", "山田 太郎", "高橋 篤司"] * 50
    users = [e.split("@")[0] for e in fake.internet.email(len(names), name=names).tolist()]
    last_of = {"鈴木": "suzuki", "佐藤": "sato", "山田": "yamada", "高橋": "takahashi"}
    first_of = {"京助": "kyosuke", "晃": "akira", "太郎": "taro", "篤司": "atsushi"}
    for name, user in zip(names, users):
        last, first = last_of[name.split()[0]], first_of[name.split()[1]]
        assert first in user, (name, user)  # names are "last first": styles take the surname or its initial
        assert last in user or user.startswith(last[0] + "."), (name, user)
        assert "lingmu" not in user and "jingzhu" not in user


def test_ja_jp_unknown_name_takes_a_locale_user_name():
    fake = Fake(locale="ja_JP", seed=3)
    users = [e.split("@")[0] for e in fake.internet.email(200, name=["鈴木 零号"] * 200).tolist()]
    assert all(u.isascii() and u for u in users)
    assert not any("linghao" in u for u in users)  # 零号's Chinese reading


def test_other_locales_unchanged_by_romanization():
    fake = Fake(locale="en_US", seed=1)
    users = [e.split("@")[0] for e in fake.internet.email(3, name=["John Smith", "Ann Lee", "Bo Li"]).tolist()]
    assert users == ["johnsmith95", "a.lee", "bo_li42"]


@pytest.mark.parametrize("locale", ["en_US", "ja_JP", "de_DE"])
def test_emails_are_well_formed(locale):
    emails = Fake(locale=locale, seed=0).internet.email(2_000).tolist()
    assert all(re.fullmatch(r"[a-z0-9._\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)+", e) for e in emails)


def test_default_domains_mix_free_and_last_name_domains():
    emails = Fake(locale="en_US", seed=0).internet.email(20_000)
    domain = emails.str.split("@").str[1]
    free = domain.isin(["gmail.com", "yahoo.com", "hotmail.com"])
    assert 0.45 < free.mean() < 0.55
    assert domain[~free].nunique() > 500
    only_free = Fake(locale="en_US", seed=0).internet.email(2_000, free=True).str.split("@").str[1]
    assert only_free.isin(["gmail.com", "yahoo.com", "hotmail.com"]).all()


def test_duplicate_rate_below_fakers_at_100k():
    emails = Fake(locale="en_US", seed=0).internet.email(100_000)
    assert 1 - emails.nunique() / len(emails) < 0.10  # Faker's email(): 14.0%


def test_ja_jp_domains_romanized():
    domains = Fake(locale="ja_JP", seed=0).internet.domain(500)
    words = domains.str.split(".").str[0]
    assert not words.isin(["lingmu", "zuoteng", "gaoqiao"]).any()
    assert words.isin(["suzuki", "sato", "takahashi", "tanaka"]).any()
