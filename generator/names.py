"""Plausible Chinese personal names for rural Shaanxi, by sex and generation."""

from __future__ import annotations

import random

# Surnames weighted roughly as in the Guanzhong countryside (王, 张, 李, 刘 dominate;
# 党, 雷, 惠, 屈, 权 are local).
# fmt: off
_SURNAMES = (
    ("王", 90), ("张", 75), ("李", 70), ("刘", 55), ("赵", 30), ("杨", 30), ("陈", 20), ("党", 18),
    ("雷", 16), ("郭", 15), ("马", 15), ("孙", 14), ("高", 14), ("何", 12), ("吴", 12), ("周", 12),
    ("冯", 11), ("朱", 10), ("胡", 10), ("宋", 10), ("屈", 9), ("惠", 8), ("权", 8), ("韩", 8),
    ("曹", 8), ("姚", 8), ("田", 8), ("贺", 7), ("白", 7), ("史", 7), ("范", 6), ("任", 6), ("师", 6),
    ("薛", 6), ("程", 6), ("侯", 5), ("景", 5), ("邓", 5), ("萧", 4), ("申", 4), ("文", 4), ("路", 4),
    ("梁", 4), ("樊", 4), ("尚", 3),
)
# fmt: on
_SURNAME_LIST = [s for s, _ in _SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in _SURNAMES]

_MALE_OLD = "建军国民志福德明忠华文兴生平有成汉荣发学俊海林山宝全义"
_MALE_NEW = "浩宇子轩博文涛鹏飞磊晨阳杰鑫辰睿航泽嘉豪宇凯旭"
_FEMALE_OLD = "秀英兰芳桂凤玉珍梅霞琴淑丽红娟萍翠花彩云爱"
_FEMALE_NEW = "欣怡梓涵诗雨婷佳琪悦妍馨雪静萱思瑶可心晶"


def person_name(rng: random.Random, male: bool, birth_year: int) -> str:
    surname = rng.choices(_SURNAME_LIST, _SURNAME_WEIGHTS)[0]
    if birth_year < 1980:
        pool = _MALE_OLD if male else _FEMALE_OLD
    else:
        pool = _MALE_NEW if male else _FEMALE_NEW
    given_len = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(pool) for _ in range(given_len))


def clerk_name(rng: random.Random) -> str:
    """A township or bureau clerk's name, for 填报人/审核人 lines."""
    return person_name(rng, rng.random() < 0.5, 1985)
