"""The title's subject in the plot: lines that let it act and recur in every part of the tale.

The cast gives the subject a slot ({subject}: the hero, the villain, the magic object, the quest item, the
place, or the event or idea the tale is about, see pipeline/write/title.py `title_subject`); a scene whose
own beats do not name it gets one of these lines, fitting its role and the part of the plot the scene tells.
Template syntax as in pipeline/write/grammar/__init__.py; {subject|m|f|n|pl} agrees with the subject.
"""
from __future__ import annotations

# The part of the plot a Propp function belongs to: at home, on the way, the struggle, the end.
PHASES: dict[str, str] = {
    "opening": "home", "interdiction": "home", "violation": "home", "villainy": "home",
    "departure": "road", "donor": "road", "gift": "road", "guidance": "road",
    "task": "fight", "struggle": "fight", "victory": "fight", "pursuit": "fight",
    "return": "end", "recognition": "end", "ending": "end",
}

# role (or kind, for vehicles) -> phase -> lines; "loss": a missing thing disappears (the cause of the quest)
RU: dict[str, dict[str, tuple[str, ...]]] = {
    "setting": {
        "home": (
            "{subject} {subject|был|была|было|были} здесь всегда, сколько помнили себя старики.",
            "{о subject:loct} ходили странные слухи, но {hero} им не {hero|верил|верила}.",
            "По вечерам {subject} будто {subject|дышал|дышала|дышало|дышали}, и {hero} {hero|слушал|слушала} "
            "{subject|его|её|его|их} тихие звуки.",
        ),
        "road": (
            "{hero} {hero|оглянулся|оглянулась}: {subject} ещё {subject|виднелся|виднелась|виднелось|виднелись} вдали.",
            "Мысли {hero:gent} то и дело возвращались {к subject:datv}: разгадка ждала там.",
        ),
        "fight": (
            "Казалось, {subject|сам|сама|само|сами} {subject} {subject|помогал|помогала|помогало|помогали} {hero:datv} в этот час.",
            "{hero} {hero|вспомнил|вспомнила} {subject:accs}, и страх отступил.",
            "Даже здесь {hero} {hero|чувствовал|чувствовала}, что {subject} рядом.",
        ),
        "end": (
            "{hero} {hero|вернулся|вернулась} {home.to}, и {subject|он|она|оно|они} {subject|встретил|встретила|встретило|встретили} "
            "{hero|его|её} тишиной.",
            "С тех пор {subject} {subject|стоит|стоит|стоит|стоят} на своём месте, как {subject|стоял|стояла|стояло|стояли} всегда.",
        ),
    },
    "vehicle": {
        "home": (
            "Каждую ночь мимо {subject|проходил|проходила|проходило|проходили} {subject}, и {hero} {hero|провожал|провожала} "
            "{subject|его|её|его|их} взглядом.",
            "Говорили, что {subject} {subject|увозит|увозит|увозит|увозят} смельчаков туда, откуда не возвращаются.",
            "{о subject:loct} знали во всей округе.",
        ),
        "road": (
            "{subject} {subject|тронулся|тронулась|тронулось|тронулись} с места и {subject|понёс|понесла|понесло|понесли} "
            "{hero:accs} вперёд.",
            "За окнами {subject:gent} мелькали огни и тени.",
        ),
        "fight": (
            "Вдали послышался шум {subject:gent}, будто {subject|он|она|оно|они} {subject|звал|звала|звало|звали} "
            "{hero:accs} держаться.",
            "{hero} {hero|вспомнил|вспомнила} {subject:accs}: нужно было успеть вернуться к {subject|нему|ней|нему|ним} до рассвета.",
            "Где-то вдали послышался шум {subject:gent}.",
            "Ветер донёс шум {subject:gent}, и страх отступил.",
        ),
        "end": (
            "С тех пор {hero} часто {hero|вспоминал|вспоминала} {subject:accs} и тот долгий путь.",
            "{hero} навсегда {hero|запомнил|запомнила} {subject:accs}.",
            "Говорят, {subject} и теперь {subject|ходит|ходит|ходит|ходят} по тем же путям.",
        ),
    },
    "gift": {
        "home": (
            "В округе рассказывали {о subject:loct}: будто когда-то {subject|он|она|оно|они} уже "
            "{subject|спас|спасла|спасло|спасли} людей от беды.",
            "{hero} с детства {hero|мечтал|мечтала} хоть раз увидеть {subject:accs}.",
        ),
        "road": (
            "Говорили, что {subject} {subject|сам|сама|само|сами} {subject|выбирает|выбирает|выбирает|выбирают} себе хозяина.",
            "{hero} {hero|гадал|гадала}, правду ли рассказывают {о subject:loct}.",
        ),
        "fight": (
            "{subject} {subject|засиял|засияла|засияло|засияли} в руках {hero:gent}, и тьма отступила.",
            "Тогда {hero} {hero|вспомнил|вспомнила} {о subject:loct} и {hero|решился|решилась} испытать "
            "{subject|его|её|его|их} силу.",
        ),
        "end": (
            "{subject} с тех пор {subject|хранится|хранится|хранится|хранятся} {home.at}, и {subject|его|её|его|их} "
            "берегут как зеницу ока.",
            "А {subject} и теперь {subject|ждёт|ждёт|ждёт|ждут} того, кому понадобится {subject|его|её|его|их} помощь.",
        ),
    },
    "quest": {
        "home": (
            "Все знали, как {subject|дорог|дорога|дорого|дороги} людям {subject}.",
            "Главным сокровищем дома {subject|был|была|было|были} {subject}.",
        ),
        "loss": (
            "Но однажды утром {subject} {subject|исчез|исчезла|исчезло|исчезли}, и никто не видел, "
            "кто {subject|его|её|его|их} унёс.",
        ),
        "road": (
            "{hero} думал{hero||а} только {о subject:loct}.",
            "Кто-то видел {subject:accs} совсем недавно, и {hero} {hero|поспешил|поспешила} дальше.",
        ),
        "fight": (
            "{subject} {subject|был|была|было|были} совсем близко: руку протяни.",
            "{hero} сразу {hero|узнал|узнала} {subject:accs}.",
            "Вот {subject:accs} и нашли, но радоваться было рано.",
        ),
        "end": (
            "{subject} снова {subject|стоял|стояла|стояло|стояли} на своём месте, будто никуда и не "
            "{subject|пропадал|пропадала|пропадало|пропадали}.",
            "С тех пор {subject} берегут пуще прежнего.",
        ),
    },
    "threat": {
        "home": (
            "{о subject:loct} в округе говорили только шёпотом.",
            "По ночам люди слышали, как где-то рядом ворочается {subject}.",
            "Старики помнили, как {subject} однажды уже {subject|приходил|приходила|приходило|приходили} к людям.",
        ),
        "road": (
            "Где-то позади {subject} уже {subject|шёл|шла|шло|шли} по следу {hero:gent}.",
            "{hero} то и дело {hero|оглядывался|оглядывалась}: не видно ли {subject:gent}.",
        ),
        "fight": (
            "{subject} {subject|взревел|взревела|взревело|взревели} так, что задрожала земля.",
            "Но {subject} не {subject|собирался|собиралась|собиралось|собирались} сдаваться.",
        ),
        "end": (
            "Люди ещё долго вспоминали {subject:accs}.",
            "А {о subject:loct} с тех пор рассказывают детям страшные сказки.",
        ),
    },
    "theme": {
        "home": (
            "Все в округе только и говорили, что {о subject:loct}.",
            "{hero} часто {hero|думал|думала} {о subject:loct}.",
        ),
        "road": (
            "Мысли {о subject:loct} не оставляли {hero:accs} ни на миг.",
            "{hero} {hero|знал|знала}: {subject} ещё впереди.",
        ),
        "fight": (
            "В этот миг {hero} {hero|вспомнил|вспомнила} {о subject:loct}, и силы вернулись к {hero|нему|ней}.",
            "Мысль {о subject:loct} придала {hero:datv} сил.",
        ),
        "end": (
            "Так закончилась эта история {о subject:loct}.",
            "{hero} навсегда {hero|запомнил|запомнила} {subject:accs}.",
        ),
    },
    "haunted": {
        "home": (
            "По ночам {subject} {subject|оживал|оживала|оживало|оживали} {subject|сам|сама|само|сами} собой, и по дому "
            "разносились странные звуки.",
            "Никто не решался подойти {к subject:datv} после заката.",
        ),
        "road": (
            "Даже издалека {hero} {hero|слышал|слышала}, как {hero|его|её} зовёт {subject}.",
            "{hero} {hero|знал|знала}: пока {subject} не {subject|затихнет|затихнет|затихнет|затихнут}, покоя не будет.",
        ),
        "fight": (
            "{subject} {subject|загремел|загремела|загремело|загремели}, и из тьмы {villain|поднялся|поднялась|поднялось|поднялись} "
            "{villain}.",
            "{subject} {subject|стонал|стонала|стонало|стонали} и {subject|дрожал|дрожала|дрожало|дрожали}, будто "
            "{subject|живой|живая|живое|живые}.",
        ),
        "end": (
            "С тех пор {subject} {subject|молчит|молчит|молчит|молчат}.",
            "Говорят, иногда по ночам {subject} ещё {subject|вздыхает|вздыхает|вздыхает|вздыхают}.",
        ),
    },
    "hero": {
        "home": ("{subject} и {subject|сам|сама|само|сами} не {subject|знал|знала|знало|знали}, что скоро всё переменится.",),
        "road": ("{subject} {subject|шёл|шла|шло|шли} всё дальше, не жалея сил.",),
        "fight": ("{subject} {subject|собрал|собрала|собрало|собрали} все силы и не {subject|отступил|отступила|отступило|отступили}.",),
        "end": ("{subject} ещё долго {subject|вспоминал|вспоминала|вспоминало|вспоминали} этот путь.",),
    },
}

EN: dict[str, dict[str, tuple[str, ...]]] = {
    "setting": {
        "home": (
            "{subject} had stood there for as long as anyone could remember.",
            "People told strange stories about {subject}, but {hero} did not believe them.",
            "In the evenings {subject} seemed to breathe, and {hero} listened to {subject|his|her|its|their} quiet sounds.",
        ),
        "road": (
            "{hero} looked back: {subject} could still be seen in the distance.",
            "{hero} kept thinking of {subject}: the answer waited there.",
        ),
        "fight": (
            "It seemed that {subject} {subject|himself|herself|itself|themselves} {subject|was|was|was|were} helping {hero} now.",
            "{hero} thought of {subject}, and the fear went away.",
            "Even here {hero} felt that {subject} {subject|was|was|was|were} near.",
        ),
        "end": (
            "{hero} came back {home.to}, and {subject|he|she|it|they} greeted {hero|him|her|it|them} with silence.",
            "Since then {subject} {subject|has|has|has|have} stood in {subject|his|her|its|their} place, as "
            "{subject|he|she|it|they} always did.",
        ),
    },
    "vehicle": {
        "home": (
            "Every night {subject} passed by, and {hero} watched {subject|him|her|it|them} go.",
            "People said that {subject} carried the brave away to places from which nobody returns.",
            "{subject} {subject|was|was|was|were} known far and wide.",
            "Every night {subject} went by.",
        ),
        "road": (
            "{subject} started with a jolt and carried {hero} forward.",
            "Lights and shadows flashed past the windows of {subject}.",
        ),
        "fight": (
            "Far away the sound of {subject} was heard, as if calling {hero} to hold on.",
            "{hero} remembered {subject}: there was still time to get back to {subject|him|her|it|them} before dawn.",
            "Somewhere far away {subject} was heard.",
            "The wind brought the sound of {subject}, and the fear went away.",
        ),
        "end": (
            "Since then {hero} has often remembered {subject} and that long way.",
            "{hero} never forgot {subject}.",
            "They say {subject} still {subject|travels|travels|travels|travel} the same old ways.",
        ),
    },
    "gift": {
        "home": (
            "People told stories about {subject}: once {subject|he|she|it|they} had saved them from trouble.",
            "Ever since childhood {hero} had dreamed of seeing {subject} at least once.",
        ),
        "road": (
            "People said that {subject} chose {subject|his|her|its|their} own master.",
            "{hero} wondered whether the stories about {subject} were true.",
        ),
        "fight": (
            "{subject} began to shine in the hands of {hero}, and the darkness drew back.",
            "Then {hero} remembered {subject} and decided to test {subject|his|her|its|their} power.",
        ),
        "end": (
            "Since then {subject} {subject|has|has|has|have} been kept {home.at}, and everyone guards "
            "{subject|him|her|it|them} well.",
            "And {subject} still {subject|waits|waits|waits|wait} for whoever will need {subject|his|her|its|their} help.",
        ),
    },
    "quest": {
        "home": (
            "Everyone knew how dear {subject} {subject|was|was|was|were} to people.",
            "The greatest treasure of the house {subject|was|was|was|were} {subject}.",
        ),
        "loss": (
            "But one morning {subject} {subject|was|was|was|were} gone, and nobody had seen who took "
            "{subject|him|her|it|them}.",
        ),
        "road": (
            "{hero} could think of nothing but {subject}.",
            "Someone had seen {subject} quite recently, and {hero} hurried on.",
        ),
        "fight": (
            "{subject} {subject|was|was|was|were} very close now, within arm's reach.",
            "{hero} recognized {subject} at once.",
            "Now {subject} {subject|was|was|was|were} found, but it was too early to rejoice.",
        ),
        "end": (
            "{subject} stood in {subject|his|her|its|their} old place again, as if {subject|he|she|it|they} had never "
            "been gone.",
            "Since then people have guarded {subject} more closely than ever.",
        ),
    },
    "threat": {
        "home": (
            "People spoke of {subject} only in a whisper.",
            "At night people heard {subject} stirring somewhere nearby.",
            "The old people remembered how {subject} had come once before.",
        ),
        "road": (
            "Somewhere behind, {subject} was already on the trail of {hero}.",
            "{hero} kept looking back for {subject}.",
        ),
        "fight": (
            "{subject} roared so that the ground shook.",
            "But {subject} was not going to give up.",
        ),
        "end": (
            "People remembered {subject} for a long time.",
            "And they still tell children frightening tales about {subject}.",
        ),
    },
    "theme": {
        "home": (
            "Everyone around talked of nothing but {subject}.",
            "{hero} often thought about {subject}.",
        ),
        "road": (
            "Thoughts of {subject} did not leave {hero} for a moment.",
            "{hero} knew that {subject} {subject|was|was|was|were} still ahead.",
        ),
        "fight": (
            "At that moment {hero} remembered {subject}, and strength came back.",
            "The thought of {subject} gave {hero} strength.",
        ),
        "end": (
            "So ended this story of {subject}.",
            "{hero} always remembered {subject}.",
        ),
    },
    "haunted": {
        "home": (
            "At night {subject} came alive by {subject|himself|herself|itself|themselves}, and strange sounds filled the house.",
            "Nobody dared to come near {subject} after sunset.",
        ),
        "road": (
            "Even far away {hero} could hear {subject} calling.",
            "{hero} knew there would be no peace until {subject} fell silent.",
        ),
        "fight": (
            "{subject} thundered, and {villain} rose out of the darkness.",
            "{subject} groaned and trembled as if alive.",
        ),
        "end": (
            "Since then {subject} {subject|has|has|has|have} been silent.",
            "They say that on some nights {subject} still {subject|sighs|sighs|sighs|sigh}.",
        ),
    },
    "hero": {
        "home": ("{subject} did not yet know that everything was about to change.",),
        "road": ("{subject} walked on and on, sparing no effort.",),
        "fight": ("{subject} gathered all {subject|his|her|its|their} strength and did not step back.",),
        "end": ("{subject} would remember this road for a long time.",),
    },
}

SUBJECT_LINES = {"ru": RU, "en": EN}


def subject_lines(language: str, role: str, kind: str, functions: list[str], missing: bool) -> tuple[str, ...]:
    """The lines that name the subject in a scene that tells `functions` (the part of the plot: its first one);
    a missing thing disappears in the scene of the villainy, so that the search has its cause."""
    table = SUBJECT_LINES[language]
    lines = table["vehicle" if role == "setting" and kind == "vehicle" else role]
    if missing and "villainy" in functions and "loss" in lines:
        return lines["loss"]
    return lines[PHASES[functions[0]]]
