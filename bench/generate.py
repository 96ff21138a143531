#!/usr/bin/env python3
"""Generate a synthetic QuickTakes library for benchmarking qtreader.

Usage::

    python bench/generate.py OUT_DIR --articles N [--subjects 40] [--seed 1]
        [--workers K] [--manifest FILE] [--force]

Writes ``OUT_DIR/learn/<subject-slug>/<slug>.md`` in the published QuickTakes format
(see ``ARTICLE-FORMAT.md``) with the facts of real libraries at their measured rates: case
variants of subject names, cross-listed ids, 0-5 related links (27% none, 36% five), one
related id listed twice in 16% of files, dangling related links and links into other
subjects, negative ids in one subject, missing ``score`` lines, rare ``no_index``, plain and
folded titles, and answers whose Markdown holds LaTeX math (commands weighted as in
``math-commands.tsv``, ``$ A $`` with spaces, subscripts Unicode lacks, augmented matrices,
mhchem, ``\\xrightarrow``, ``\\overline``, ``\\tag``), prices in dollars, fenced code, GFM
tables and raw HTML, stored with every real newline encoded as the two characters ``\\n``.
Rare facts are placed by quota: a library of 100 articles or more has each at least once.

Output is byte-identical for a given seed, whatever the number of workers. With
``--manifest`` a JSONL file gets one line per distinct id holding the original Markdown,
so a decoder can be checked against the truth.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import multiprocessing
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

# --------------------------------------------------------------------------------------
# Vocabulary (all written for this script)
# --------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """Split a whitespace-separated word list."""
    return tuple(text.split())


# One subject per entry: display name (``*``: also written with a lower-case second word),
# relative weight, topic phrases. Indented lines continue the previous entry.
_SUBJECT_TABLE = """
Medicine | 3.0 | diagnosis, medical imaging, pancreatic lesions, tumor staging, biopsy,
    clinical trials, infection
Computer Science* | 2.5 | algorithms, data structures, compilers, operating systems,
    neural networks, databases, cryptography, concurrency
Physics | 1.6 | quantum mechanics, thermodynamics, electromagnetism, relativity, optics,
    particle physics, fluid dynamics
Education Studies* | 1.8 | pedagogy, curriculum design, formative assessment, literacy,
    inclusive education, classroom management
Biology | 2.0 | cell division, gene expression, evolution, ecology, photosynthesis,
    protein folding
Chemistry | 1.4 | chemical bonding, reaction kinetics, organic synthesis, electrochemistry,
    spectroscopy, catalysis
Mathematics | 1.5 | linear algebra, calculus, number theory, topology, probability,
    differential equations
Psychology | 2.0 | cognition, working memory, motivation, personality,
    developmental psychology, social behavior
Economics | 1.5 | inflation, market equilibrium, monetary policy, labor markets,
    game theory, international trade
History | 1.2 | the industrial revolution, colonialism, the cold war, medieval trade,
    political revolutions, empires
Political Science* | 1.1 | elections, federalism, public opinion, international relations,
    democracy, legislatures
Environmental Science* | 1.2 | climate change, biodiversity, pollution, ecosystems,
    water resources, renewable energy
Business Administration* | 1.3 | leadership, supply chains, strategic planning,
    corporate governance, entrepreneurship, operations management
Mechanical Engineering* | 1.0 | heat transfer, fluid mechanics, machine design, vibration,
    materials testing, thermodynamic cycles
Public Health* | 1.2 | epidemiology, vaccination, health promotion, disease surveillance,
    health equity, screening programs
Sociology | 1.0 | social stratification, socialization, urbanization, social movements,
    inequality, family structures
Philosophy | 0.8 | ethics, epistemology, metaphysics, formal logic, free will,
    political philosophy
Nursing | 1.1 | patient care, care planning, medication safety, wound care,
    patient education, triage
Law | 0.9 | contract law, tort liability, constitutional rights, criminal procedure,
    property law, judicial review
Linguistics | 0.6 | syntax, phonology, morphology, semantics, language acquisition,
    sociolinguistics
Anthropology | 0.6 | kinship, ethnography, ritual, material culture, human evolution,
    cultural change
Statistics | 1.0 | hypothesis testing, regression models, sampling methods,
    confidence intervals, Bayesian inference, variance
Electrical Engineering | 0.9 | circuit analysis, signal processing, power systems,
    control systems, semiconductors, microcontrollers
Civil Engineering | 0.7 | structural analysis, geotechnics, transportation planning,
    concrete design, hydrology, construction management
Geography | 0.6 | urban geography, land use, cartography, migration, physical landscapes,
    regional development
Geology | 0.5 | plate tectonics, sedimentary rocks, mineralogy, earthquakes, volcanism,
    groundwater
Astronomy | 0.5 | stellar evolution, galaxies, exoplanets, cosmology, black holes,
    telescopes
Literature | 0.7 | narrative voice, poetry, the novel, literary criticism, symbolism,
    modernism
Music | 0.4 | harmony, rhythm, music theory, composition, orchestration,
    performance practice
Art History | 0.4 | Renaissance painting, iconography, sculpture, impressionism, patronage,
    modern art
Accounting | 0.6 | financial statements, auditing, cost accounting, revenue recognition,
    depreciation, internal controls
Finance | 0.8 | portfolio theory, risk management, capital budgeting, interest rates,
    valuation, derivatives
Marketing | 0.7 | consumer behavior, brand management, market segmentation,
    pricing strategy, digital advertising, market research
Nutrition | 0.5 | macronutrients, dietary guidelines, micronutrients, energy balance,
    food security, nutrient metabolism
Pharmacology | 0.6 | drug metabolism, pharmacokinetics, receptor binding, drug interactions,
    dosage, adverse effects
Neuroscience | 0.7 | synaptic plasticity, neural circuits, neurotransmitters, brain imaging,
    memory formation, sensory processing
Architecture | 0.4 | building design, urban design, sustainable building, structural form,
    architectural history, daylighting
Agriculture | 0.4 | crop rotation, soil fertility, irrigation, pest management, livestock,
    food production
Communication Studies | 0.5 | media effects, interpersonal communication, public speaking,
    rhetoric, journalism, persuasion
Social Work* | 0.6 | case management, child welfare, community practice, social policy,
    mental health services, advocacy
"""


def _parse_subjects(table: str) -> tuple[tuple[str, bool, float, tuple[str, ...]], ...]:
    """Parse ``_SUBJECT_TABLE`` into (name, has case variant, weight, topics)."""
    entries: list[str] = []
    for line in table.strip().splitlines():
        if line.startswith(" "):
            entries[-1] += " " + line.strip()
        else:
            entries.append(line)
    subjects = []
    for entry in entries:
        name, weight, topics = (part.strip() for part in entry.split("|"))
        subjects.append(
            (
                name.rstrip("*"),
                name.endswith("*"),
                float(weight),
                tuple(t.strip() for t in topics.split(",")),
            )
        )
    return tuple(subjects)


SUBJECTS = _parse_subjects(_SUBJECT_TABLE)

NOUNS = _words(
    """analysis approach assessment behavior capacity change concept condition context
    contribution data decision design development distribution effect efficiency environment
    evaluation evidence experience factor feature feedback framework function growth hypothesis
    impact implementation indicator influence information interaction intervention knowledge
    level method model mechanism network outcome pattern performance perspective policy
    population practice principle problem process property quality rate relationship research
    resource response result risk role sample scale sequence signal skill solution source
    stability standard strategy structure system technique theory tool trend value variable
    variation accuracy adaptation balance boundary category cycle dimension element estimate
    exposure flow goal identity input language measurement motivation objective observation
    output parameter phase pressure procedure reliability requirement sensitivity setting stage
    stress support threshold transition uncertainty validity workload community culture
    institution market organization region society technology material energy temperature
    volume frequency density layer component interface platform algorithm database protocol
    regulation treatment diagnosis therapy symptom patient student teacher curriculum classroom
    learner participant audience consumer investor government committee agency archive
    narrative theme argument critique tradition movement reform conflict cooperation
    equilibrium incentive constraint trade-off bias correlation regression simulation
    prototype specification benchmark baseline scenario survey interview trial cohort"""
)

ADJECTIVES = _words(
    """academic active adaptive basic broad central clinical cognitive common comparative
    complex conceptual consistent contemporary critical cultural current dynamic early
    economic effective efficient emerging empirical environmental essential ethical
    experimental external flexible formal fundamental general global historical important
    individual initial internal key large linear local long-term major modern multiple
    national natural negative nonlinear optimal organizational personal physical political
    positive potential practical primary public qualitative quantitative rapid regional
    relevant reliable robust secondary significant similar social specific stable standard
    statistical strategic structural sustainable systematic technical theoretical traditional
    typical underlying unique visual evidence-based short-term cross-sectional real-world
    data-driven"""
)

VERBS: tuple[tuple[str, str], ...] = tuple(
    (
        v,
        v + "es"
        if v.endswith(("s", "sh", "ch", "x"))
        else v[:-1] + "ies"
        if v.endswith("fy")
        else v + "s",
    )
    for v in _words(
        """affect influence shape determine reflect support reduce increase require enable
    describe explain involve improve limit predict strengthen reveal measure guide transform
    balance connect combine highlight challenge indicate promote constrain drive moderate
    mediate regulate sustain capture represent extend simplify accelerate stabilize
    reinforce"""
    )
)

PREPOSITIONS = (
    "in",
    "for",
    "within",
    "across",
    "during",
    "through",
    "under",
    "among",
    "with",
    "beyond",
    "around",
    "in",
    "for",
)
DETERMINERS = ("the", "the", "the", "the", "this", "each", "a", "every", "any", "a")
REPORTS = (
    "research shows that",
    "studies suggest that",
    "evidence indicates that",
    "many experts argue that",
    "recent work demonstrates that",
    "in practice,",
    "as a result,",
    "in many cases,",
    "for this reason,",
    "over time,",
)
CONNECTORS = (
    ", and ",
    ", while ",
    " because ",
    ", although ",
    ", which means that ",
    "; however, ",
    ", so ",
    ", since ",
    ", whereas ",
    " when ",
)
DESCRIBE = (
    "discusses",
    "explores",
    "examines",
    "outlines",
    "explains",
    "reviews",
    "summarizes",
    "considers",
)
HIGHLIGHT = ("highlighting", "emphasizing", "noting", "stressing", "illustrating")

TITLE_TEMPLATES = (
    "How does {a} influence {b}?",
    "What is the role of {a} in {b}?",
    "What are the main challenges of {a}?",
    "How is {a} used in {b}?",
    "Why is {a} important for {b}?",
    "What are the differences between {a} and {b}?",
    "How can {a} improve {b}?",
    "What factors affect {a} in {b}?",
    "What are the advantages and limitations of {a}?",
    "How do {a}, {b}, and {c} interact?",
    "When is {a} recommended for {b}?",
    "What is {a} and how does it relate to {b}?",
    "How has {a} changed {b} over time?",
    "What evidence supports {a} in {b}?",
    "How do researchers measure {a}?",
    "What are the key principles of {a}, and how do they apply to {b}?",
)

# Math pools. Display formulas never start with a backslash-n command (a decoder reads
# `$$` + `\n` as a newline there); inline ones may.
INLINE_MATH: tuple[str, ...] = (
    r"x \neq y",
    r"\nabla f(x) = 0",
    r"\nu",
    r"a \ne b",
    r"x \notin S",
    r"\neg p \to q",
    r"\theta",
    r"\tau",
    r"\tan \theta",
    r"p \times q",
    r"\sqrt{2}",
    r"\frac{1}{2}",
    r"\sum_{i=1}^{n} x_i",
    r"\int_0^1 f(x)\,dx",
    r"\lim_{n \to \infty} a_n",
    r"\text{CO}_2",
    r"n \times n",
    r"\nu = \frac{c}{\lambda}",
    r"E = mc^2",
    r"\nabla \cdot \mathbf{v}",
    r"f: A \to B",
    r"\theta \neq 0",
    r"k \notin \{0, 1\}",
    r"\tau = 2\pi",
    r"\frac{\Delta y}{\Delta x}",
    r"\text{SD} = \sqrt{\text{Var}(X)}",
)
DISPLAY_MATH: tuple[str, ...] = (
    r"F = m \times a",
    r"\frac{\partial u}{\partial t} = \nu \nabla^2 u",
    r"\bar{x} = \frac{1}{n} \sum_{i=1}^{n} x_i",
    r"\int_{a}^{b} f(x) \, dx = F(b) - F(a)",
    r"\lim_{x \to \infty} \left(1 + \frac{1}{x}\right)^{x} = e",
    r"\tan \theta = \frac{\text{opposite}}{\text{adjacent}}",
    r"\tau = r \times F \sin \theta",
    r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}",
    r"\sigma = \sqrt{\frac{1}{n} \sum_{i=1}^{n} (x_i - \mu)^2}",
    r"P(A \mid B) = \frac{P(B \mid A)\,P(A)}{P(B)}",
    r"E = -\nabla V, \quad \nabla \times E = 0",
    r"a_k \neq a_{k+1} \text{ for all } k \in \mathbb{N}",
    r"x \notin A \cup B \implies \neg (x \in A)",
    r"f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}",
    r"\text{Profit} = \text{Revenue} - \text{Cost}",
    r"u(t) = u_0 e^{-t/\tau}",
    r"e^{i\theta} = \cos \theta + i \sin \theta",
    r"\Delta G = \Delta H - T \Delta S",
    r"v = f \lambda, \quad \nu = \frac{c}{\lambda}",
    r"A = \begin{pmatrix} 1 & \theta \\ 0 & 1 \end{pmatrix}",
    r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}",
    r"R_{\text{eq}} = R_1 + R_2 \neq \frac{R_1 R_2}{R_1 + R_2}",
)
# Formulas with real newlines (rows after `\\`); a row never starts with a letter.
MULTILINE_MATH: tuple[str, ...] = (
    "f(x) = \\begin{cases}\n1, & x \\geq 0 \\\\\n-1, & \\text{otherwise}\n\\end{cases}",
    "R(\\theta) = \\begin{pmatrix}\n\\cos \\theta & -\\sin \\theta \\\\\n"
    "\\sin \\theta & \\cos \\theta\n\\end{pmatrix}",
    "\\begin{aligned}\n2x + 3 &= 7 \\\\\n2x &= 4\n\\end{aligned}",
    "u(x) = \\begin{cases}\n\\nu x, & x \\neq 0 \\\\\n0, & \\text{if } x \\notin D\n\\end{cases}",
)
# Commands inside math, each with how many files of the largest real library use it
# (math-commands.tsv beside ARTICLE-FORMAT.md: every command seen in 5 files or more,
# except the rare ones placed by quota, QUOTA_FACTS) and fragments written for it here.
# A built formula draws its fragments with the weights of their commands, so the commands
# of the generated formulas follow the real distribution. A pair (left/right, begin/end,
# langle/rangle) is one entry.
# fmt: off
COMMANDS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("text", 1098, (r"\text{total}", r"v = \text{distance} / \text{time}", r"\text{if } x > 0",
                    r"\text{Cost}_{\text{fixed}}", r"\text{pH} = 7")),
    ("frac", 1427, (r"\frac{a}{b}", r"\frac{dy}{dx}", r"\frac{1}{2} m v^2", r"\frac{P}{V}",
                    r"\frac{n!}{k!(n-k)!}")),
    ("times", 539, (r"3 \times 10^8", r"a \times b", r"2 \times 4 = 8")),
    ("mathbf", 110, (r"\mathbf{F} = m \mathbf{a}", r"\mathbf{v}", r"A\mathbf{x} = \mathbf{b}")),
    ("cdot", 405, (r"a \cdot b", r"0.5 \cdot 20", r"\mathbf{u} \cdot \mathbf{v}")),
    ("Delta", 181, (r"\Delta x", r"\Delta T = T_2 - T_1", r"\Delta p")),
    ("sqrt", 261, (r"\sqrt{x^2 + y^2}", r"\sqrt{2}", r"\sqrt[3]{27} = 3")),
    ("vec", 114, (r"\vec{v}", r"\vec{F} = q \vec{E}", r"|\vec{r}|")),
    ("rightarrow", 322, (r"A \rightarrow B", r"x \rightarrow 0")),
    ("theta", 140, (r"\theta", r"2\theta")),
    ("sin", 143, (r"\sin x", r"\sin(\omega t)", r"\sin^2 x")),
    ("cos", 150, (r"\cos x", r"\cos(2x)")),
    ("pi", 113, (r"2\pi r", r"\pi r^2")),
    ("left", 167, (r"\left( x + 1 \right)", r"\left( \frac{a}{b} \right)^2",
                   r"\left[ 0, 1 \right]")),
    ("sum", 151, (r"\sum_{i=1}^{n} x_i", r"\sum_{k=0}^{\infty} a_k")),
    ("infty", 101, (r"(0, \infty)", r"x = \infty")),
    ("hat", 52, (r"\hat{y}", r"\hat{\beta}_1")),
    ("int", 124, (r"\int_0^1 x^2 \, dx", r"\int f(x) \, dx")),
    ("log", 101, (r"\log_2 n", r"\log(x y)")),
    ("quad", 105, (r"x = 1, \quad y = 2", r"a > 0 \quad b > 0")),
    ("to", 82, (r"x \to 0", r"f: X \to Y")),
    ("omega", 85, (r"\omega t", r"\omega = 2\pi f")),
    ("circ", 57, (r"90^\circ", r"f \circ g")),
    ("partial", 49, (r"\partial_x f", r"\partial u / \partial t")),
    ("mu", 78, (r"\mu", r"\mu_0")),
    ("ldots", 98, (r"x_1, \ldots, x_n", r"1, 2, \ldots")),
    ("sigma", 62, (r"\sigma^2", r"\sigma")),
    ("epsilon", 73, (r"\epsilon", r"|x - a| < \epsilon")),
    ("leq", 76, (r"x \leq 1", r"0 \leq p \leq 1")),
    ("Phi", 85, (r"\Phi(z)", r"\Phi_B")),
    ("begin", 73, (
        *(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}",) * 6,
        *(r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}",) * 5,
        *(r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}",) * 3,
        *(r"\begin{align*} a &= b + c \\ d &= 2a \end{align*}",) * 2,
        r"\begin{array}{cc} 1 & 2 \\ 3 & 4 \end{array}",
        r"\begin{vmatrix} a & b \\ c & d \end{vmatrix} = ad - bc",
        r"\begin{aligned} x &= 2 \\ y &= 3 \end{aligned}",
    )),
    ("beta", 36, (r"\beta", r"\beta_0 + \beta_1 x")),
    ("approx", 106, (r"x \approx 1.41", r"g \approx 9.8")),
    ("alpha", 46, (r"\alpha", r"\alpha = 0.05")),
    ("land", 43, (r"p \land q",)),
    ("neg", 37, (r"\neg p", r"\neg (p \lor q)")),
    ("lambda", 43, (r"\lambda", r"\lambda = 550")),
    ("phi", 35, (r"\phi",)),
    ("geq", 86, (r"x \geq 0", r"n \geq 1")),
    ("lim", 37, (r"\lim_{x \to a} f(x)", r"\lim_{n \to \infty} a_n")),
    ("in", 49, (r"x \in A", r"n \in \mathbb{N}")),
    ("lor", 40, (r"p \lor q",)),
    ("mathbb", 46, (r"\mathbb{R}", r"\mathbb{Z}")),
    ("tan", 41, (r"\tan x",)),
    ("rho", 39, (r"\rho", r"\rho = m / V")),
    ("neq", 77, (r"a \neq b", r"x \neq 0")),
    ("tau", 38, (r"\tau",)),
    ("rightleftharpoons", 63, (r"A + B \rightleftharpoons C",
                               r"H_2O \rightleftharpoons H^+ + OH^-")),
    ("gamma", 32, (r"\gamma",)),
    ("delta", 30, (r"\delta", r"\delta x")),
    ("ln", 33, (r"\ln x", r"\ln 2")),
    ("implies", 52, (r"p \implies q", r"x > 2 \implies x^2 > 4")),
    ("mathcal", 30, (r"\mathcal{L}", r"\mathcal{O}(n)")),
    ("Sigma", 21, (r"\Sigma",)),
    ("dot", 36, (r"\dot{x}",)),
    ("binom", 18, (r"\binom{n}{k}",)),
    ("cap", 16, (r"A \cap B",)),
    ("bar", 19, (r"\bar{x}",)),
    ("pm", 37, (r"2 \pm 0.1",)),
    ("Omega", 21, (r"\Omega", r"10 \, \Omega")),
    ("equiv", 22, (r"a \equiv b",)),
    ("cup", 20, (r"A \cup B",)),
    ("hbar", 23, (r"\hbar",)),
    ("Psi", 13, (r"\Psi(x, t)",)),
    ("overrightarrow", 6, (r"\overrightarrow{AB}",)),
    ("langle", 13, (r"\langle x, y \rangle",)),
    ("nabla", 19, (r"\nabla f",)),
    ("div", 14, (r"12 \div 4 = 3",)),
    ("psi", 13, (r"\psi",)),
    ("nu", 15, (r"\nu",)),
    ("mod", 10, (r"a \mod n",)),
    ("cdots", 12, (r"1 + 2 + \cdots + n",)),
    ("mid", 6, (r"P(A \mid B)",)),
    ("propto", 15, (r"F \propto r",)),
    ("leftrightarrow", 10, (r"A \leftrightarrow B",)),
    ("angle", 5, (r"\angle ABC",)),
    ("sec", 7, (r"\sec x",)),
    ("Theta", 7, (r"\Theta(n)",)),
    ("eta", 11, (r"\eta",)),
    ("mathrm", 8, (r"\mathrm{kg}",)),
    ("iff", 5, (r"p \iff q",)),
    ("csc", 7, (r"\csc x",)),
    ("forall", 6, (r"\forall x",)),
    ("subseteq", 7, (r"A \subseteq B",)),
    ("emptyset", 7, (r"S = \emptyset",)),
    ("zeta", 5, (r"\zeta",)),
    ("cot", 6, (r"\cot x",)),
    ("Rightarrow", 6, (r"a \Rightarrow b",)),
)
# fmt: on
_FRAGMENTS = tuple(fragments for _, _, fragments in COMMANDS)
_COMMAND_WEIGHTS = tuple(itertools.accumulate(files for _, files, _ in COMMANDS))

# Formulas with a subscript on a letter that has no Unicode subscript form (z, Y, y, b,
# ...): a renderer must not draw them with a look-alike (a Greek gamma for y).
SUBSCRIPT_MATH: tuple[str, ...] = (
    r"F_z = m a_z",
    r"f_Y(y) = \frac{d}{dy} F_Y(y)",
    r"a_y = -g",
    r"\vec{b}_x",
    r"f_X(x)",
    r"v_y = v_0 \sin \theta",
    r"p_B = 1 - p_A",
    r"\mu_Y = E[Y]",
    r"T_c",
    r"k_B T",
    r"\sigma_Y^2",
    r"E[X] = \sum_x x \, f_X(x)",
    r"c_d",
    r"F_{g} = m g",
    r"q_w",
)

# The rare facts placed by quota (QUOTA_FACTS): each as display formulas.
AUGMENTED_MATH: tuple[tuple[str, ...], ...] = (
    (r"\left[\begin{array}{cc|c}", r"1 & 2 & 5 \\", r"3 & 4 & 6", r"\end{array}\right]"),
    (
        r"\left[\begin{array}{ccc|c}",
        r"2 & 1 & -1 & 8 \\",
        r"-3 & -1 & 2 & -11 \\",
        r"-2 & 1 & 2 & -3",
        r"\end{array}\right]",
    ),
    (r"\left[\begin{array}{cc|cc}", r"1 & 0 & 1 & 0 \\", r"0 & 1 & 0 & 1", r"\end{array}\right]"),
)
MHCHEM: tuple[str, ...] = (
    r"\ce{2H2 + O2 -> 2H2O}",
    r"\ce{CH4 + 2O2 -> CO2 + 2H2O}",
    r"\ce{N2 + 3H2 <=> 2NH3}",
    r"\ce{NaCl -> Na+ + Cl-}",
    r"\ce{H2O}",
    r"\ce{CaCO3 -> CaO + CO2}",
)
XRIGHTARROW: tuple[str, ...] = (
    r"A \xrightarrow{k_1} B",
    r"\text{glucose} \xrightarrow{\text{enzyme}} \text{product}",
    r"X \xrightarrow{f} Y",
)
OVERLINE: tuple[str, ...] = (
    r"\overline{AB} = 5",
    r"\overline{x} = \frac{1}{n} \sum x_i",
    r"\overline{A \cup B} = \overline{A} \cap \overline{B}",
)
TAGGED: tuple[str, ...] = (r"E = mc^2 \tag{1}", r"F = m a \tag{2}", r"p = m v \tag{3.1}")
MATH_LEADS = (
    "This relationship can be expressed as:",
    "Formally, this is written as:",
    "The standard formulation is:",
    "Mathematically, this reads:",
    "A common way to write this is:",
    "In symbols:",
)

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,-]*\?")
_SLUG_RE = re.compile(r"[^a-z0-9]+")

# --------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Listing:
    """One file of an article: the folder it sits in and its per-file quirks."""

    subject: int
    display: str
    plain_title: bool
    score: str | None


@dataclass(slots=True)
class Article:
    """One distinct id with everything that needs the whole library to decide."""

    aid: int
    day: str
    title: str
    slug: str
    terms: tuple[str, ...]
    listings: list[Listing]
    no_index: bool
    related: list[int]
    dangling: list[int]
    related_yaml: str
    #: Rare facts placed by quota (see ``QUOTA_FACTS``) that this article's answer shows.
    facts: list[str] = field(default_factory=list)


def slugify(text: str) -> str:
    """Return the URL slug of a title or subject name."""
    return _SLUG_RE.sub("-", text.lower()).strip("-")


def lower_variant(name: str) -> str:
    """Return the case variant of a subject name (``Computer science``)."""
    first, _, rest = name.partition(" ")
    return f"{first} {rest.lower()}" if rest else name


def _noun_phrase(rng: random.Random, topics: tuple[str, ...]) -> str:
    """Return a subject topic or a generic two-word noun phrase."""
    r = rng.random()
    if r < 0.4:
        return rng.choice(topics)
    if r < 0.85:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    return f"{rng.choice(NOUNS)} {rng.choice(NOUNS)}"


def make_title(rng: random.Random, topics: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """Return a question title and the noun phrases it was built from."""
    a, b, c = (_noun_phrase(rng, topics) for _ in range(3))
    template = rng.choice(TITLE_TEMPLATES)
    title = template.format(a=a, b=b, c=c)
    terms = (a, b, c) if "{c}" in template else (a, b) if "{b}" in template else (a,)
    return title[0].upper() + title[1:], terms


def _score(rng: random.Random) -> str | None:
    """Return the ``score`` value of one file, or None when the line is absent."""
    if rng.random() < 0.2:
        return None
    if rng.random() < 0.85:
        return "-1.0"
    return repr(round(rng.uniform(0.05, 9.95), 3))


def _related_yaml(links: list[tuple[int, str, str, str]]) -> str:
    """Return the ``related_articleN`` mappings for (id, title, subject, url) links."""
    parts = []
    for i, (rid, title, subject, url) in enumerate(links, 1):
        parts.append(
            f"related_article{i}:\n    id: {rid}\n    title: >-\n        {title}\n"
            f"    subject: {subject}\n    url: {url}\n"
        )
    return "".join(parts)


#: How many files of a real library of 36,000 hold each rare fact (ARTICLE-FORMAT.md, last
#: section). Such facts are placed by quota, not by chance, so that their count follows the
#: rate and a small library still has each (see :func:`quota`).
REAL_LIBRARY = 36_000
QUOTA_FACTS: dict[str, int] = {
    "augmented": 6,  # \left[\begin{array}{cc|c} ... \end{array}\right]
    "ce": 14,  # mhchem
    "xrightarrow": 22,
    "overline": 6,
    "tag": 2,
    "currency": 360,  # prices in prose, "costs $5 and $10": in some answers (1%)
}
#: Files with a negative id (-1 ... -13), all in one subject.
NEGATIVE_IDS = 13
#: Share of articles with ``no_index: true`` (real: under 0.2%).
NO_INDEX_RATE = 0.0015
#: From this many articles on, a library holds every rare fact at least once.
EVERY_FACT_FROM = 100

#: Number of related links per file: 0 to 5, with their real shares.
RELATED_COUNTS = (0, 1, 2, 3, 4, 5)
RELATED_COUNT_WEIGHTS = (27, 5, 7, 10, 15, 36)
#: Of files with two links or more (68%), the share that lists one id twice: 16% of all files.
DUPLICATE_RELATED = 0.16 / 0.68


def quota(per_real_library: float, n_articles: int) -> int:
    """How many articles get a fact seen in ``per_real_library`` files of 36,000: its rate,
    and at least one in a library of :data:`EVERY_FACT_FROM` articles or more."""
    count = round(per_real_library * n_articles / REAL_LIBRARY)
    return max(count, 1) if n_articles >= EVERY_FACT_FROM else count


def build_plan(n_articles: int, n_subjects: int, seed: int) -> list[Article]:
    """Decide ids, titles, listings and related links for the whole library."""
    rng = random.Random(seed)
    subjects = SUBJECTS[:n_subjects]
    weights = [s[2] for s in subjects]
    start = date(2023, 1, 1).toordinal()
    span = date(2025, 12, 31).toordinal() - start + 1
    seen_slugs: set[str] = set()

    def fresh_title(topics: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
        while True:
            title, terms = make_title(rng, topics)
            slug = slugify(title)
            if slug not in seen_slugs:
                seen_slugs.add(slug)
                return title, slug, terms

    def listing(subj: int) -> Listing:
        name, variant = subjects[subj][0], subjects[subj][1]
        display = lower_variant(name) if variant and rng.random() < 0.3 else name
        return Listing(subj, display, rng.random() < 0.3, _score(rng))

    articles: list[Article] = []
    gaps: list[int] = []
    next_id = 100000 + rng.randrange(50000)
    while len(articles) < n_articles:
        subj = rng.choices(range(n_subjects), weights)[0]
        topics = subjects[subj][3]
        day = date.fromordinal(start + rng.randrange(span)).isoformat()
        for _ in range(min(rng.randint(6, 30), n_articles - len(articles))):
            if rng.random() < 0.05:
                skip = rng.randint(1, 3)
                gaps.extend(range(next_id, next_id + skip))
                next_id += skip
            title, slug, terms = fresh_title(topics)
            listings = [listing(subj)]
            if n_subjects > 1 and rng.random() < 0.07:
                extra = 2 if n_subjects > 2 and rng.random() < 0.15 else 1
                others = rng.sample([s for s in range(n_subjects) if s != subj], extra)
                listings.extend(listing(s) for s in others)
            articles.append(Article(next_id, day, title, slug, terms, listings, False, [], [], ""))
            next_id += 1
    _place_rare_facts(rng, articles)

    members: dict[int, list[int]] = {}
    for idx, art in enumerate(articles):
        members.setdefault(art.listings[0].subject, []).append(idx)
    position = {idx: pos for group in members.values() for pos, idx in enumerate(group)}
    max_id = next_id

    def url_of(subj_slug: str, slug: str) -> str:
        return f"/learn/{subj_slug}/questions/{slug}"

    for idx, art in enumerate(articles):
        subj = art.listings[0].subject
        group = members[subj]
        count = rng.choices(RELATED_COUNTS, RELATED_COUNT_WEIGHTS)[0]
        duplicate = count >= 2 and rng.random() < DUPLICATE_RELATED
        distinct = count - 1 if duplicate else count
        links: list[tuple[int, str, str, str]] = []
        used = {art.aid}
        for _ in range(distinct * 4):
            if len(links) == distinct:
                break
            r = rng.random()
            if r < 0.028:
                rid = (
                    gaps.pop(rng.randrange(len(gaps))) if gaps else max_id + rng.randrange(1, 10**6)
                )
                if rid in used:
                    continue
                other = rng.randrange(n_subjects)
                title, slug, _ = fresh_title(subjects[other][3])
                display = subjects[other][0]
                links.append((rid, title, display, url_of(slugify(display), slug)))
                art.dangling.append(rid)
                used.add(rid)
                continue
            if r < 0.25 or len(group) < 2:
                target = articles[rng.randrange(len(articles))]
                if target.listings[0].subject == subj and n_subjects > 1:
                    continue
                choices = [x for x in target.listings if x.subject != subj] or target.listings
            else:
                pos = position[idx] + rng.choice((-1, 1)) * rng.randint(1, 12)
                target = articles[group[min(max(pos, 0), len(group) - 1)]]
                choices = [x for x in target.listings if x.subject == subj] or target.listings
            if target.aid in used:
                continue
            used.add(target.aid)
            chosen = rng.choice(choices)
            links.append(
                (
                    target.aid,
                    target.title,
                    chosen.display,
                    url_of(slugify(subjects[chosen.subject][0]), target.slug),
                )
            )
        if duplicate and links:
            # The same article listed twice (related_article2 and related_article4, say).
            first = rng.randrange(len(links))
            links.insert(rng.randint(first + 1, len(links)), links[first])
        art.related = [link[0] for link in links]
        art.related_yaml = _related_yaml(links)
    return articles


def _place_rare_facts(rng: random.Random, articles: list[Article]) -> None:
    """Give the rare facts to articles chosen by quota: ``no_index`` refusals, negative ids
    (in one subject, each article listed only there) and the rare kinds of formula."""
    n = len(articles)
    for idx in rng.sample(range(n), min(n, quota(NO_INDEX_RATE * REAL_LIBRARY, n))):
        articles[idx].no_index = True
    by_subject: dict[int, list[Article]] = {}
    for art in articles:
        if len(art.listings) == 1 and not art.no_index:
            by_subject.setdefault(art.listings[0].subject, []).append(art)
    if by_subject:
        group = max(by_subject.values(), key=len)
        negatives = min(NEGATIVE_IDS, len(group), quota(NEGATIVE_IDS, n))
        for number, art in enumerate(rng.sample(group, negatives), start=1):
            art.aid = -number
    answering = [art for art in articles if not art.no_index]
    for fact, per_real in QUOTA_FACTS.items():
        for art in rng.sample(answering, min(len(answering), quota(per_real, n))):
            art.facts.append(fact)


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------

_CLAUSES: list[str] = []
_CAP_CLAUSES: list[str] = []


def _det(rng: random.Random, word: str) -> str:
    """Return ``word`` after a random determiner."""
    det = rng.choice(DETERMINERS)
    if det == "a" and word[0] in "aeiou":
        det = "an"
    return f"{det} {word}"


def _clause(rng: random.Random) -> str:
    """Return one lower-case clause built from the word lists."""

    def n() -> str:
        return rng.choice(NOUNS)

    def a() -> str:
        return rng.choice(ADJECTIVES)

    v = rng.choice(VERBS)
    w = rng.choice(VERBS)
    p = rng.choice(PREPOSITIONS)
    k = rng.randrange(8)
    if k == 0:
        return f"{_det(rng, a())} {n()} {v[1]} {_det(rng, n())}"
    if k == 1:
        return f"{_det(rng, n())} of {n()} {v[1]} {_det(rng, a())} {n()} {p} {_det(rng, n())}"
    if k == 2:
        return f"researchers {v[0]} {_det(rng, n())} {p} {_det(rng, a())} {n()}"
    if k == 3:
        return f"{_det(rng, n())} {v[1]} how {_det(rng, n())} {w[1]} {_det(rng, n())}"
    if k == 4:
        return f"{rng.choice(REPORTS)} {_det(rng, a())} {n()} {v[1]} {_det(rng, n())}"
    if k == 5:
        return f"{a()} {n()} often {v[1]} {_det(rng, n())} {p} {_det(rng, n())}"
    if k == 6:
        return f"{_det(rng, n())} {p} {_det(rng, n())} can {v[0]} {_det(rng, a())} {n()}"
    return f"it {v[1]} {_det(rng, n())} and {w[1]} {_det(rng, a())} {n()}"


def _init_text(seed: int) -> None:
    """Build the clause pool sentences are drawn from (same in every process)."""
    if _CLAUSES:
        return
    rng = random.Random(seed * 7919 + 17)
    for _ in range(6000):
        c = _clause(rng)
        _CLAUSES.append(c)
        _CAP_CLAUSES.append(c[0].upper() + c[1:])


def sentence(rng: random.Random) -> str:
    """Return one sentence of generated prose."""
    n = len(_CLAUSES)
    first = _CAP_CLAUSES[int(rng.random() * n)]
    if rng.random() < 0.55:
        conn = CONNECTORS[int(rng.random() * len(CONNECTORS))]
        return f"{first}{conn}{_CLAUSES[int(rng.random() * n)]}."
    return first + "."


def _title_case(text: str) -> str:
    """Capitalize every word (and every part of a hyphenated word)."""
    return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in text.split())


def _phrase(rng: random.Random) -> str:
    """Return an adjective-noun phrase."""
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


# --------------------------------------------------------------------------------------
# Answer extras
# --------------------------------------------------------------------------------------


_IDENTS = tuple(w for w in NOUNS if w.isalpha())


def built_formula(rng: random.Random) -> str:
    """Return a formula of one to three fragments of :data:`COMMANDS`, drawn by weight."""
    parts = [
        rng.choice(fragments)
        for fragments in rng.choices(
            _FRAGMENTS, cum_weights=_COMMAND_WEIGHTS, k=rng.choice((1, 1, 2, 2, 3))
        )
    ]
    out = parts[0]
    for part in parts[1:]:
        out += rng.choice((" = ", " + ", ", ", " - ")) + part
    return out


def _formula(rng: random.Random, display: bool) -> str:
    """Return one formula: a hand-written one (decoder hazards such as ``\\neq`` and
    ``\\nu``), one with a subscript Unicode lacks, or one built by command weight."""
    r = rng.random()
    if r < 0.35:
        return rng.choice(DISPLAY_MATH if display else INLINE_MATH)
    if r < 0.45:
        return rng.choice(SUBSCRIPT_MATH)
    return built_formula(rng)


def _display_block(rng: random.Random, open_: str, close: str, formula: str | None = None) -> str:
    """Return a lead-in line and a display formula between ``open_`` and ``close``."""
    lead = rng.choice(MATH_LEADS)
    if formula is None and rng.random() < 0.15:
        formula = rng.choice(MULTILINE_MATH)
        return f"{lead}\n\n{open_}\n{formula}\n{close}"
    if formula is None:
        formula = _formula(rng, True)
    if formula.startswith("\\n"):
        # Stored right after `$$`, `\\nu` would read as a newline (ARTICLE-FORMAT.md, rule 3).
        formula = "y = " + formula
    r = rng.random()
    if r < 0.35 or "\n" in formula:
        return f"{lead}\n\n{open_}\n{formula}\n{close}"
    if r < 0.7:
        return f"{lead}\n\n{open_}{formula}{close}"
    return f"{lead}\n\n{open_} {formula} {close}"


def _inline_math_sentence(
    rng: random.Random, open_: str, close: str, formula: str | None = None
) -> str:
    """Return a sentence holding one inline formula."""
    if formula is None:
        formula = _formula(rng, False)
    first = _CAP_CLAUSES[int(rng.random() * len(_CAP_CLAUSES))]
    tail = _CLAUSES[int(rng.random() * len(_CLAUSES))]
    r = rng.random()
    if r < 0.5:
        return f"{first}, where {open_}{formula}{close}, and {tail}."
    if r < 0.8:
        return f"{first} when {open_}{formula}{close}."
    return f"For example, {open_}{formula}{close} {rng.choice(VERBS)[1]} {tail}."


def _currency(rng: random.Random) -> str:
    """Return a paragraph with prices in dollars (text, though the website makes it math)."""
    noun = rng.choice(_IDENTS)
    a = rng.randint(2, 40)
    b = a + rng.randint(1, 60)
    return rng.choice(
        (
            f"For instance, a single {noun} costs ${a} and a set of three costs ${b}.",
            f"A {noun} that costs ${a} today may cost ${b} next year.",
            f"Prices range from ${a} to ${b} per {noun}, depending on the supplier.",
        )
    )


def _fact_block(rng: random.Random, fact: str, fillable: list[_Seg]) -> str | None:
    """Place one rare fact of :data:`QUOTA_FACTS`: return a block, or put it in a sentence."""
    if fact == "augmented":
        rows = rng.choice(AUGMENTED_MATH)
        return _display_block(rng, "$$", "$$", ("\n" if rng.random() < 0.5 else " ").join(rows))
    if fact == "currency":
        return _currency(rng)
    if fact == "tag":
        return _display_block(rng, "$$", "$$", rng.choice(TAGGED))
    formula = rng.choice({"ce": MHCHEM, "xrightarrow": XRIGHTARROW, "overline": OVERLINE}[fact])
    if rng.random() < 0.5:
        return _display_block(rng, "$$", "$$", formula)
    rng.choice(fillable).sentences.insert(1, _inline_math_sentence(rng, "$", "$", formula))
    return None


def _code_block(rng: random.Random) -> str:
    """Return a lead-in line and a fenced code block (rarely without a language)."""
    noun = rng.choice(_IDENTS)
    noun2 = rng.choice(_IDENTS)
    verb = rng.choice(VERBS)[0]
    k = rng.randint(2, 99)
    lead = rng.choice(
        (
            "For example:",
            "A minimal example looks like this:",
            "The following snippet illustrates the idea:",
            "Here is a short implementation:",
        )
    )
    if rng.random() < 0.12:
        body = (
            f"for each {noun} in the {noun2} list:\n    if {noun} is valid:\n"
            f"        {verb} the {noun}\n    otherwise:\n        skip it\nreturn the result"
        )
        return f"{lead}\n\n```\n{body}\n```"
    r = rng.random()
    if r < 0.33:
        lang = "python"
        quote = '\\"' if rng.random() < 0.2 else '"'
        body = (
            f"def {verb}_{noun}(values):\n    total = 0\n    for value in values:\n"
            f"        total += value * {k}\n    return total / len(values)\n\n\n"
            f"result = {verb}_{noun}([1, 2, 3])\n"
            f"print({quote}Result:{quote}, result)"
        )
        if rng.random() < 0.25:
            body += '\nprint("\\n".join(["a", "b"]))'
    elif r < 0.5:
        lang = "c"
        body = (
            f"#include <stdio.h>\n\nint main(void) {{\n    int {noun} = {k};\n"
            f"    int x = {noun} * 2;\n"
            + (
                '    printf("%d\\n", x);\n'
                if rng.random() < 0.6
                else f'    printf("{noun}: %d", x);\n'
            )
            + "    return 0;\n}"
        )
    elif r < 0.62:
        lang = rng.choice(("javascript", "js"))
        body = (
            f"function {verb}{noun.title()}(items) {{\n"
            f"  return items.filter((item) => item.{noun2} > {k}).length;\n}}\n\n"
            f"console.log({verb}{noun.title()}([]));"
        )
    elif r < 0.72:
        lang = "r"
        body = (
            f"{noun} <- c(1.2, 3.4, 5.6, {k})\nmean({noun})\n"
            f"model <- lm(y ~ x, data = {noun2}_data)\nsummary(model)"
        )
    elif r < 0.82:
        lang = "sql"
        body = (
            f"SELECT {noun}, COUNT(*) AS total\nFROM {noun2}_records\n"
            f"WHERE score > {k}\nGROUP BY {noun}\nORDER BY total DESC;"
        )
    elif r < 0.91:
        lang = "java"
        body = (
            f"public class {noun.title()}Demo {{\n"
            f"    public static void main(String[] args) {{\n"
            f'        System.out.println("{noun.title()}: " + {k});\n    }}\n}}'
        )
    else:
        lang = "bash"
        body = (
            f"mkdir -p data/{noun}\npython analyze.py --input data/{noun} --limit {k}\n"
            f"ls -la data/{noun}"
        )
    return f"{lead}\n\n```{lang}\n{body}\n```"


def _table(rng: random.Random, html: bool) -> str:
    """Return a lead-in line and a GFM table (with a ``<br>`` in a cell if ``html``)."""
    cols = rng.randint(2, 3)
    head = ["Aspect", "Description", "Example"][:cols]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * cols]
    for _ in range(rng.randint(3, 5)):
        cells = [_title_case(_phrase(rng)), _CAP_CLAUSES[int(rng.random() * len(_CLAUSES))]]
        if cols == 3:
            cells.append(rng.choice(NOUNS))
        if html:
            cells[1] += "<br>" + rng.choice(NOUNS)
            html = False
        lines.append("| " + " | ".join(cells) + " |")
    lead = rng.choice(
        (
            "The main points can be compared as follows:",
            "The table below summarizes the differences:",
        )
    )
    return lead + "\n\n" + "\n".join(lines)


# --------------------------------------------------------------------------------------
# Answer
# --------------------------------------------------------------------------------------


class _Seg:
    """A run of sentences with a separator and prefix (paragraph, list item, bullet)."""

    __slots__ = ("prefix", "sentences", "sep")

    def __init__(self, sep: str, prefix: str, sentences: list[str]) -> None:
        self.sep = sep
        self.prefix = prefix
        self.sentences = sentences

    def render(self) -> str:
        """Return the segment as Markdown."""
        return self.sep + self.prefix + " ".join(self.sentences)


def _sections(rng: random.Random, units: list[list[_Seg]], fillable: list[_Seg]) -> _Seg:
    """Append 2-4 `###` sections of numbered lists to ``units``; return the closing."""
    bullet = "   - " if rng.random() < 0.7 else "    - "
    numbered_heads = rng.random() < 0.2
    for h in range(rng.randint(2, 4)):
        head = _title_case(_phrase(rng))
        if numbered_heads:
            head = f"{h + 1}. {head}"
        unit = [_Seg("\n\n", "", [f"### {head}"])]
        for i in range(rng.randint(2, 3) if h else rng.randint(2, 4)):
            item = _Seg("\n\n", f"{i + 1}. **{_title_case(_phrase(rng))}**: ", [sentence(rng)])
            unit.append(item)
            fillable.append(item)
            if rng.random() < 0.2:
                for _ in range(rng.randint(2, 3)):
                    lead = f"**{_title_case(rng.choice(NOUNS))}**: " if rng.random() < 0.5 else ""
                    unit.append(_Seg("\n", bullet + lead, [sentence(rng)]))
        units.append(unit)
    closing = _Seg(
        "\n\n", "", [f"In summary, {_CLAUSES[int(rng.random() * len(_CLAUSES))]}.", sentence(rng)]
    )
    fillable.append(closing)
    return closing


def _add_extras(
    rng: random.Random, units: list[list[_Seg]], fillable: list[_Seg], facts: list[str]
) -> None:
    """Add the rarer Markdown features: math, prices, code, tables and raw HTML, and the
    rare facts the plan gave this article."""
    extras: list[str] = []
    if rng.random() < 0.08:
        extras.append(_display_block(rng, "$$", "$$"))
    if rng.random() < 0.09:
        # Two thirds written with spaces inside the dollars, `$ A $`: 6% of files.
        spaced = " " if rng.random() < 2 / 3 else ""
        rng.choice(fillable).sentences.insert(
            1, _inline_math_sentence(rng, "$" + spaced, spaced + "$")
        )
    if rng.random() < 0.03:
        if rng.random() < 0.5:
            extras.append(_display_block(rng, "\\[", "\\]"))
        else:
            rng.choice(fillable).sentences.insert(1, _inline_math_sentence(rng, "\\(", "\\)"))
    if rng.random() < 0.03:
        extras.append(_code_block(rng))
    html = rng.random() < 0.005
    if rng.random() < 0.01:
        extras.append(_table(rng, html))
        html = False
    if html:
        rng.choice(fillable).sentences[0] += rng.choice(
            ("<br>", " (see H<sub>2</sub>O)<br>", " (10<sup>3</sup> units)")
        )
    for fact in facts:
        block = _fact_block(rng, fact, fillable)
        if block is not None:
            extras.append(block)
    for extra in extras:
        units.insert(rng.randint(1, len(units)), [_Seg("\n\n", "", [extra])])


def make_answer(rng: random.Random, budget: int, art: Article, subject: str) -> str:
    """Return the answer Markdown (before encoding), about ``budget`` characters long."""
    topic = art.terms[0]
    if art.no_index:
        first = f"I cannot answer this question based on the information provided about {topic}."
    else:
        first = f"{topic[0].upper()}{topic[1:]} is an important topic in {subject.lower()}."
    intro = _Seg("", "", [first, sentence(rng), sentence(rng)])
    units: list[list[_Seg]] = [[intro]]
    fillable: list[_Seg] = [intro]
    if art.no_index:
        # A refusal: plain paragraphs only, no structure and no extras.
        for _ in range(rng.randint(1, 2)):
            para = _Seg("\n\n", "", [sentence(rng)])
            units.append([para])
            fillable.append(para)
        closing = _Seg(
            "\n\n", "", ["If you can share more details, a more specific answer may be possible."]
        )
        fillable.append(closing)
    else:
        closing = _sections(rng, units, fillable)
        _add_extras(rng, units, fillable, art.facts)
    segs = [seg for unit in units for seg in unit]
    segs.append(closing)
    total = sum(len(seg.render()) for seg in segs)
    while total < budget:
        s = sentence(rng)
        fillable[int(rng.random() * len(fillable))].sentences.append(s)
        total += len(s) + 1
    return "".join(seg.render() for seg in segs)


def make_keywords(rng: random.Random, art: Article, topics: tuple[str, ...]) -> str:
    """Return 8-15 comma-separated keywords with the spacing quirks of real files."""
    want = rng.randint(8, 15)
    words: list[str] = []
    pool = list(art.terms) + rng.sample(topics, min(len(topics), rng.randint(2, 4)))
    for w in pool:
        if w not in words:
            words.append(w)
    while len(words) < want:
        w = rng.choice(NOUNS) if rng.random() < 0.6 else _phrase(rng)
        if w not in words:
            words.append(w)
    words = words[:want]
    r = rng.random()
    if r < 0.8:
        return ", ".join(words)
    if r < 0.9:
        return ",".join(words)
    if r < 0.95:
        return " ,".join(words)
    seps = (", ", ", ", ",", " ,")
    out = words[0]
    for w in words[1:]:
        out += rng.choice(seps) + w
    return out


def make_description(rng: random.Random, art: Article, topics: tuple[str, ...]) -> str:
    """Return a one-paragraph search-snippet summary."""
    a, b, c = rng.sample(topics, 3) if len(topics) >= 3 else (topics[0],) * 3
    return (
        f"This content {rng.choice(DESCRIBE)} {art.terms[0]} in relation to "
        f"{art.terms[-1]}, including {a}, {_phrase(rng)}, and {b}, "
        f"{rng.choice(HIGHLIGHT)} its {rng.choice(NOUNS)} in {c} and "
        f"{rng.choice(NOUNS)} {rng.choice(NOUNS)}."
    )


# --------------------------------------------------------------------------------------
# Rendering and writing
# --------------------------------------------------------------------------------------


def render_file(art: Article, lst: Listing, desc: str, keywords: str, answer: str) -> str:
    """Return the whole text of one article file."""
    t = art.title
    subj_slug = slugify(SUBJECTS[lst.subject][0])
    if lst.plain_title and _PLAIN_SAFE.fullmatch(t):
        titles = f"title: {t}\narticle_title: {t}\n"
    else:
        titles = f"title: >-\n    {t}\narticle_title: >-\n    {t}\n"
    score = f"score: {lst.score}\n" if lst.score is not None else ""
    no_index = "no_index: true\n" if art.no_index else ""
    return (
        f"---\n_schema: default\nid: {art.aid}\ndate: {art.day}\n{titles}"
        f"date_format: MMM DD, YYYY\npost_on_text: Posted on\nseo:\n"
        f"  title: QuickTakes | {lst.display}\n"
        f"  page_description: >-\n    {desc}\n"
        f"  page_keywords: >-\n    {keywords}\n"
        f"author: QuickTakes\nquestion: >-\n    {t}\nanswer: >-\n    {answer}\n"
        f"subject: {lst.display}\nfile_name: {art.slug}.md\n"
        f"url: /learn/{subj_slug}/questions/{art.slug}\n"
        f"{score}{no_index}{art.related_yaml}---\n\n&nbsp;"
    )


@dataclass(slots=True)
class _Job:
    """What a worker needs: the plan, where to write, the seed, whether to keep Markdown."""

    articles: list[Article]
    out: Path
    seed: int
    manifest: bool


_JOB: list[_Job] = []  # set once per process by _init_worker


def _init_worker(job: _Job) -> None:
    """Install the job in this process and build the clause pool."""
    _JOB[:] = [job]
    _init_text(job.seed)


def _article_rng(seed: int, aid: int) -> random.Random:
    """Return the random source of one article (independent of worker layout)."""
    return random.Random((seed * 0x9E3779B1 + aid * 0x85EBCA77) & 0xFFFFFFFFFFFFFFFF)


def _write_range(bounds: tuple[int, int]) -> tuple[int, int, list[str]]:
    """Write articles ``bounds[0]:bounds[1]``; return files, bytes and manifest lines."""
    job = _JOB[0]
    seed = job.seed
    files = size = 0
    lines: list[str] = []
    for art in job.articles[bounds[0] : bounds[1]]:
        rng = _article_rng(seed, art.aid)
        primary = art.listings[0]
        name, _, _, topics = SUBJECTS[primary.subject]
        desc = make_description(rng, art, topics)
        keywords = make_keywords(rng, art, topics)
        target = 2800 + rng.lognormvariate(math.log(1200), 0.45)
        target = min(max(target, 3100.0), 7600.0)
        frame = len(render_file(art, primary, desc, keywords, ""))
        markdown = make_answer(rng, max(int(target) - frame, 500), art, name)
        encoded = markdown.replace("\n", "\\n")
        paths: list[str] = []
        for lst in art.listings:
            rel = f"learn/{slugify(SUBJECTS[lst.subject][0])}/{art.slug}.md"
            data = render_file(art, lst, desc, keywords, encoded).encode("utf-8")
            with open(job.out / rel, "wb") as fh:
                fh.write(data)
            files += 1
            size += len(data)
            paths.append(rel)
        if job.manifest:
            lines.append(
                json.dumps(
                    {
                        "id": art.aid,
                        "subjects": [x.display for x in art.listings],
                        "paths": paths,
                        "markdown": markdown,
                        "related": art.related,
                        "dangling": art.dangling,
                    },
                    ensure_ascii=False,
                )
            )
    return files, size, lines


def generate(
    out_dir: Path, n_articles: int, n_subjects: int, seed: int, workers: int, manifest: Path | None
) -> tuple[int, int]:
    """Generate the library; return the number of files and bytes written."""
    articles = build_plan(n_articles, n_subjects, seed)
    for subj in {lst.subject for art in articles for lst in art.listings}:
        (out_dir / "learn" / slugify(SUBJECTS[subj][0])).mkdir(parents=True, exist_ok=True)
    chunk = 500
    ranges = [(i, min(i + chunk, len(articles))) for i in range(0, len(articles), chunk)]
    files = size = 0
    job = _Job(articles, out_dir, seed, manifest is not None)
    with contextlib.ExitStack() as stack:
        man = None
        if manifest is not None:
            manifest.parent.mkdir(parents=True, exist_ok=True)
            man = stack.enter_context(open(manifest, "w", encoding="utf-8"))
        if workers <= 1:
            _init_worker(job)
            results: Iterator[tuple[int, int, list[str]]] = map(_write_range, ranges)
        else:
            pool = stack.enter_context(multiprocessing.Pool(workers, _init_worker, (job,)))
            results = pool.imap(_write_range, ranges)
        for n_files, n_bytes, lines in results:
            files, size = files + n_files, size + n_bytes
            if man is not None:
                man.writelines(line + "\n" for line in lines)
    return files, size


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate, print a one-line summary."""
    ap = argparse.ArgumentParser(description="Generate a synthetic QuickTakes library.")
    ap.add_argument("out_dir", type=Path, help="output folder (files go to OUT_DIR/learn/)")
    ap.add_argument("--articles", type=int, required=True, help="number of distinct ids")
    ap.add_argument("--subjects", type=int, default=40, help="number of subjects (1-40)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--manifest", type=Path, help="write a JSONL manifest to this file")
    ap.add_argument("--force", action="store_true", help="delete an existing OUT_DIR/learn first")
    args = ap.parse_args(argv)
    if args.articles < 1:
        ap.error("--articles must be at least 1")
    if not 1 <= args.subjects <= len(SUBJECTS):
        ap.error(f"--subjects must be between 1 and {len(SUBJECTS)}")
    learn = args.out_dir / "learn"
    if learn.exists() and any(learn.iterdir()):
        if not args.force:
            ap.error(f"{learn} exists and is not empty (use --force to replace it)")
        shutil.rmtree(learn)
    started = time.perf_counter()
    files, size = generate(
        args.out_dir, args.articles, args.subjects, args.seed, max(1, args.workers), args.manifest
    )
    secs = time.perf_counter() - started
    print(f"{args.articles} articles, {files} files, {size / 1e6:.1f} MB, {secs:.1f} s -> {learn}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
