"""Hand-written French headlines shared by the pipeline, core, replay and run tests: a heatwave
burst from seven outlets (on-theme, safe), a shooting (unsafe), and unrelated everyday news; and
the two brand themes those tests give Maison Brioche."""

HEATWAVE = [
    ("Le Figaro", "Canicule : Paris dépasse les 38 °C, un record pour un mois de juillet"),
    ("Le Parisien", "Vague de chaleur : la capitale étouffe sous 38 degrés"),
    ("franceinfo", "Canicule à Paris : des températures record attendues cet après-midi"),
    ("20 Minutes", "Chaleur record à Paris, les parcs ouverts toute la nuit"),
    ("Le Monde", "La canicule s'installe sur l'Ile-de-France avec des records de chaleur"),
    ("BFM", "Paris suffoque : pic de chaleur historique pour la capitale"),
    ("Ouest-France", "Canicule : records de température battus à Paris et en Ile-de-France"),
]
SHOOTING = [
    ("Le Figaro", "Fusillade dans un centre commercial : au moins cinq morts"),
    ("Le Parisien", "Fusillade meurtrière dans un centre commercial, cinq victimes"),
    ("franceinfo", "Cinq personnes tuées par balle dans un centre commercial"),
    ("20 Minutes", "Fusillade : le tireur a fait cinq morts dans le centre commercial"),
    ("Le Monde", "Une fusillade dans un centre commercial fait cinq morts"),
    ("BFM", "Centre commercial : cinq morts dans une fusillade, le tireur interpellé"),
]
NOISE = [
    "Le prix du carburant baisse légèrement cette semaine",
    "Un nouveau musée ouvre ses portes à Lyon",
    "La SNCF annonce des travaux sur la ligne Paris-Lille",
    "Un livre de recettes de grand-mère devient un best-seller",
    "Les ventes de vélos électriques progressent",
    "Un festival de jazz annoncé à Marseille",
]

THEMES = [
    {
        "name": "meteo",
        "description": "La météo et les saisons : canicule, neige, pluie.",
        "keywords": ["canicule", "chaleur", "neige", "météo"],
        "angles": ["Le réconfort d'une glace quand il fait chaud"],
    },
    {
        "name": "sport",
        "description": "Les grands moments de sport.",
        "keywords": ["football", "tennis", "rugby"],
    },
]
