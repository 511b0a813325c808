"""Food lists per language (fruits, vegetables, dishes, drinks, spices), written for simulacra.

Faker has no food data and mimesis is optional, so these lists ship with simulacra: everyday
words of each language, written by the simulacra authors (not copied from another library).
A language missing here uses the English lists. Each list is one string, items separated by ``|``.
"""

FOOD = {
    "en": {
        "fruits": "Apple|Banana|Orange|Pear|Peach|Plum|Cherry|Grape|Strawberry|Raspberry|Blueberry|Mango|Pineapple|Kiwi|Watermelon|Apricot|Lemon|Lime|Fig|Pomegranate",
        "vegetables": "Carrot|Potato|Tomato|Cucumber|Onion|Garlic|Cabbage|Broccoli|Cauliflower|Spinach|Lettuce|Pepper|Zucchini|Eggplant|Pumpkin|Beetroot|Celery|Leek|Radish|Pea",
        "dishes": "Fish and chips|Shepherd's pie|Roast chicken|Beef stew|Pancakes|Meatloaf|Clam chowder|Mac and cheese|Apple pie|Caesar salad|Cheeseburger|Chicken pot pie|Tomato soup|Lasagna|Grilled cheese sandwich",
        "drinks": "Water|Tea|Coffee|Orange juice|Apple juice|Lemonade|Milk|Hot chocolate|Iced tea|Cola|Ginger ale|Beer|Red wine|White wine|Cider",
        "spices": "Black pepper|Cinnamon|Nutmeg|Ginger|Paprika|Cumin|Turmeric|Oregano|Thyme|Rosemary|Basil|Clove|Cardamom|Chili powder|Bay leaf",
    },
    "es": {
        "fruits": "Manzana|Plátano|Naranja|Pera|Melocotón|Ciruela|Cereza|Uva|Fresa|Frambuesa|Mango|Piña|Kiwi|Sandía|Melón|Albaricoque|Limón|Higo|Granada|Mandarina",
        "vegetables": "Zanahoria|Patata|Tomate|Pepino|Cebolla|Ajo|Col|Brócoli|Coliflor|Espinaca|Lechuga|Pimiento|Calabacín|Berenjena|Calabaza|Remolacha|Apio|Puerro|Rábano|Guisante",
        "dishes": "Paella|Tortilla de patatas|Gazpacho|Salmorejo|Cocido madrileño|Fabada asturiana|Pulpo a la gallega|Croquetas|Patatas bravas|Pisto|Migas|Albóndigas|Churros con chocolate|Lentejas|Crema catalana",
        "drinks": "Agua|Café|Té|Zumo de naranja|Horchata|Sangría|Vino tinto|Vino blanco|Cerveza|Sidra|Leche|Chocolate caliente|Limonada|Tinto de verano|Gaseosa",
        "spices": "Pimienta negra|Canela|Nuez moscada|Jengibre|Pimentón|Comino|Azafrán|Orégano|Tomillo|Romero|Albahaca|Clavo|Laurel|Perejil|Anís",
    },
    "de": {
        "fruits": "Apfel|Banane|Orange|Birne|Pfirsich|Pflaume|Kirsche|Traube|Erdbeere|Himbeere|Heidelbeere|Mango|Ananas|Kiwi|Wassermelone|Aprikose|Zitrone|Feige|Johannisbeere|Stachelbeere",
        "vegetables": "Karotte|Kartoffel|Tomate|Gurke|Zwiebel|Knoblauch|Kohl|Brokkoli|Blumenkohl|Spinat|Kopfsalat|Paprika|Zucchini|Aubergine|Kürbis|Rote Bete|Sellerie|Lauch|Radieschen|Erbse",
        "dishes": "Sauerbraten|Schnitzel|Bratwurst mit Sauerkraut|Kartoffelsalat|Spätzle|Maultaschen|Rouladen|Eintopf|Kartoffelpuffer|Leberkäse|Currywurst|Königsberger Klopse|Schweinshaxe|Apfelstrudel|Schwarzwälder Kirschtorte",
        "drinks": "Wasser|Kaffee|Tee|Apfelsaft|Orangensaft|Apfelschorle|Bier|Weißbier|Rotwein|Weißwein|Milch|Kakao|Limonade|Glühwein|Sekt",
        "spices": "Schwarzer Pfeffer|Zimt|Muskatnuss|Ingwer|Paprikapulver|Kümmel|Kurkuma|Oregano|Thymian|Rosmarin|Basilikum|Nelke|Kardamom|Lorbeer|Majoran",
    },
    "fr": {
        "fruits": "Pomme|Banane|Orange|Poire|Pêche|Prune|Cerise|Raisin|Fraise|Framboise|Myrtille|Mangue|Ananas|Kiwi|Pastèque|Abricot|Citron|Figue|Grenade|Clémentine",
        "vegetables": "Carotte|Pomme de terre|Tomate|Concombre|Oignon|Ail|Chou|Brocoli|Chou-fleur|Épinard|Laitue|Poivron|Courgette|Aubergine|Potiron|Betterave|Céleri|Poireau|Radis|Petit pois",
        "dishes": "Bœuf bourguignon|Coq au vin|Ratatouille|Quiche lorraine|Cassoulet|Blanquette de veau|Bouillabaisse|Gratin dauphinois|Croque-monsieur|Soupe à l'oignon|Tartiflette|Pot-au-feu|Crêpes|Hachis parmentier|Tarte Tatin",
        "drinks": "Eau|Café|Thé|Jus d'orange|Jus de pomme|Vin rouge|Vin blanc|Champagne|Cidre|Bière|Lait|Chocolat chaud|Limonade|Pastis|Sirop de menthe",
        "spices": "Poivre noir|Cannelle|Muscade|Gingembre|Paprika|Cumin|Curcuma|Origan|Thym|Romarin|Basilic|Clou de girofle|Cardamome|Laurier|Herbes de Provence",
    },
    "it": {
        "fruits": "Mela|Banana|Arancia|Pera|Pesca|Prugna|Ciliegia|Uva|Fragola|Lampone|Mirtillo|Mango|Ananas|Kiwi|Anguria|Albicocca|Limone|Fico|Melograno|Mandarino",
        "vegetables": "Carota|Patata|Pomodoro|Cetriolo|Cipolla|Aglio|Cavolo|Broccolo|Cavolfiore|Spinaci|Lattuga|Peperone|Zucchina|Melanzana|Zucca|Barbabietola|Sedano|Porro|Ravanello|Pisello",
        "dishes": "Spaghetti alla carbonara|Lasagne|Risotto alla milanese|Pizza margherita|Ossobuco|Parmigiana di melanzane|Gnocchi|Minestrone|Saltimbocca|Tiramisù|Arancini|Pasta all'amatriciana|Vitello tonnato|Polenta|Cannoli",
        "drinks": "Acqua|Caffè|Espresso|Cappuccino|Tè|Succo d'arancia|Limonata|Vino rosso|Vino bianco|Prosecco|Birra|Latte|Cioccolata calda|Limoncello|Aranciata",
        "spices": "Pepe nero|Cannella|Noce moscata|Zenzero|Paprica|Cumino|Zafferano|Origano|Timo|Rosmarino|Basilico|Chiodi di garofano|Alloro|Salvia|Peperoncino",
    },
    "pt": {
        "fruits": "Maçã|Banana|Laranja|Pera|Pêssego|Ameixa|Cereja|Uva|Morango|Framboesa|Manga|Ananás|Kiwi|Melancia|Melão|Damasco|Limão|Figo|Romã|Maracujá",
        "vegetables": "Cenoura|Batata|Tomate|Pepino|Cebola|Alho|Couve|Brócolos|Couve-flor|Espinafre|Alface|Pimento|Curgete|Beringela|Abóbora|Beterraba|Aipo|Alho-francês|Rabanete|Ervilha",
        "dishes": "Bacalhau à Brás|Caldo verde|Feijoada|Francesinha|Cozido à portuguesa|Arroz de pato|Sardinhas assadas|Pastel de nata|Moqueca|Pão de queijo|Coxinha|Arroz doce|Bifana|Açorda|Picanha",
        "drinks": "Água|Café|Chá|Sumo de laranja|Vinho tinto|Vinho verde|Vinho do Porto|Cerveja|Leite|Chocolate quente|Limonada|Caipirinha|Guaraná|Água de coco|Ginjinha",
        "spices": "Pimenta preta|Canela|Noz-moscada|Gengibre|Colorau|Cominho|Açafrão|Orégãos|Tomilho|Alecrim|Manjericão|Cravinho|Louro|Salsa|Coentros",
    },
    "nl": {
        "fruits": "Appel|Banaan|Sinaasappel|Peer|Perzik|Pruim|Kers|Druif|Aardbei|Framboos|Blauwe bes|Mango|Ananas|Kiwi|Watermeloen|Abrikoos|Citroen|Vijg|Granaatappel|Mandarijn",
        "vegetables": "Wortel|Aardappel|Tomaat|Komkommer|Ui|Knoflook|Kool|Broccoli|Bloemkool|Spinazie|Sla|Paprika|Courgette|Aubergine|Pompoen|Biet|Selderij|Prei|Radijs|Erwt",
        "dishes": "Stamppot|Erwtensoep|Hutspot|Bitterballen|Poffertjes|Kroketten|Haring|Pannenkoeken|Hachee|Kibbeling|Frikandel|Appeltaart|Stroopwafels|Zuurkool met worst|Bami goreng",
        "drinks": "Water|Koffie|Thee|Sinaasappelsap|Appelsap|Melk|Karnemelk|Warme chocolademelk|Bier|Jenever|Rode wijn|Witte wijn|Limonade|Advocaat|Spa rood",
        "spices": "Zwarte peper|Kaneel|Nootmuskaat|Gember|Paprikapoeder|Komijn|Kurkuma|Oregano|Tijm|Rozemarijn|Basilicum|Kruidnagel|Kardemom|Laurier|Peterselie",
    },
    "sv": {
        "fruits": "Äpple|Banan|Apelsin|Päron|Persika|Plommon|Körsbär|Vindruva|Jordgubbe|Hallon|Blåbär|Lingon|Hjortron|Mango|Ananas|Kiwi|Vattenmelon|Aprikos|Citron|Fikon",
        "vegetables": "Morot|Potatis|Tomat|Gurka|Lök|Vitlök|Kål|Broccoli|Blomkål|Spenat|Sallad|Paprika|Zucchini|Aubergine|Pumpa|Rödbeta|Selleri|Purjolök|Rädisa|Ärta",
        "dishes": "Köttbullar|Gravlax|Pytt i panna|Ärtsoppa|Janssons frestelse|Kåldolmar|Raggmunk|Falukorv|Sill|Kanelbulle|Prinsesstårta|Smörgåstårta|Räksmörgås|Kroppkakor|Laxpudding",
        "drinks": "Vatten|Kaffe|Te|Apelsinjuice|Äppeljuice|Mjölk|Saft|Julmust|Glögg|Öl|Rödvin|Vitt vin|Cider|Varm choklad|Lemonad",
        "spices": "Svartpeppar|Kanel|Muskot|Ingefära|Paprikapulver|Kummin|Gurkmeja|Oregano|Timjan|Rosmarin|Basilika|Kryddnejlika|Kardemumma|Lagerblad|Dill",
    },
    "ru": {
        "fruits": "Яблоко|Банан|Апельсин|Груша|Персик|Слива|Вишня|Виноград|Клубника|Малина|Черника|Манго|Ананас|Киви|Арбуз|Абрикос|Лимон|Инжир|Гранат|Мандарин",
        "vegetables": "Морковь|Картофель|Помидор|Огурец|Лук|Чеснок|Капуста|Брокколи|Цветная капуста|Шпинат|Салат|Перец|Кабачок|Баклажан|Тыква|Свёкла|Сельдерей|Лук-порей|Редис|Горох",
        "dishes": "Борщ|Щи|Пельмени|Блины|Бефстроганов|Оливье|Селёдка под шубой|Солянка|Голубцы|Котлеты|Сырники|Гречневая каша|Окрошка|Вареники|Пирожки",
        "drinks": "Вода|Чай|Кофе|Апельсиновый сок|Яблочный сок|Квас|Морс|Компот|Кефир|Молоко|Какао|Лимонад|Пиво|Красное вино|Минеральная вода",
        "spices": "Чёрный перец|Корица|Мускатный орех|Имбирь|Паприка|Тмин|Куркума|Орегано|Тимьян|Розмарин|Базилик|Гвоздика|Кардамон|Лавровый лист|Укроп",
    },
    "uk": {
        "fruits": "Яблуко|Банан|Апельсин|Груша|Персик|Слива|Вишня|Виноград|Полуниця|Малина|Чорниця|Манго|Ананас|Ківі|Кавун|Абрикос|Лимон|Інжир|Гранат|Мандарин",
        "vegetables": "Морква|Картопля|Помідор|Огірок|Цибуля|Часник|Капуста|Броколі|Цвітна капуста|Шпинат|Салат|Перець|Кабачок|Баклажан|Гарбуз|Буряк|Селера|Цибуля-порей|Редиска|Горох",
        "dishes": "Борщ|Вареники|Голубці|Деруни|Банош|Котлета по-київськи|Кулеша|Налисники|Сирники|Капусняк|Пампушки|Холодець|Юшка|Галушки|Узвар",
        "drinks": "Вода|Чай|Кава|Апельсиновий сік|Яблучний сік|Узвар|Компот|Квас|Кефір|Молоко|Какао|Лимонад|Пиво|Червоне вино|Мінеральна вода",
        "spices": "Чорний перець|Кориця|Мускатний горіх|Імбир|Паприка|Кмин|Куркума|Орегано|Чебрець|Розмарин|Базилік|Гвоздика|Кардамон|Лавровий лист|Кріп",
    },
    "ja": {
        "fruits": "りんご|バナナ|みかん|なし|もも|すもも|さくらんぼ|ぶどう|いちご|メロン|すいか|かき|びわ|キウイ|パイナップル|マンゴー|レモン|ゆず|いちじく|ざくろ",
        "vegetables": "にんじん|じゃがいも|トマト|きゅうり|たまねぎ|にんにく|キャベツ|ブロッコリー|はくさい|ほうれんそう|レタス|ピーマン|なす|かぼちゃ|だいこん|ごぼう|れんこん|ねぎ|しいたけ|えだまめ",
        "dishes": "寿司|天ぷら|ラーメン|うどん|そば|カレーライス|とんかつ|すき焼き|しゃぶしゃぶ|お好み焼き|たこ焼き|親子丼|焼き鳥|味噌汁|おにぎり",
        "drinks": "水|緑茶|麦茶|ほうじ茶|コーヒー|紅茶|オレンジジュース|牛乳|日本酒|ビール|焼酎|ラムネ|カルピス|抹茶|梅酒",
        "spices": "こしょう|シナモン|しょうが|わさび|山椒|七味唐辛子|からし|ごま|しそ|みょうが|ナツメグ|クミン|ターメリック|パプリカ|ローリエ",
    },
    "zh": {
        "fruits": "苹果|香蕉|橙子|梨|桃子|李子|樱桃|葡萄|草莓|芒果|菠萝|猕猴桃|西瓜|哈密瓜|杏|柠檬|荔枝|龙眼|柿子|石榴",
        "vegetables": "胡萝卜|土豆|西红柿|黄瓜|洋葱|大蒜|白菜|西兰花|菜花|菠菜|生菜|青椒|茄子|南瓜|萝卜|芹菜|韭菜|豆芽|莲藕|豌豆",
        "dishes": "北京烤鸭|宫保鸡丁|麻婆豆腐|红烧肉|糖醋排骨|鱼香肉丝|饺子|小笼包|炸酱面|回锅肉|水煮鱼|扬州炒饭|酸辣汤|东坡肉|馄饨",
        "drinks": "水|绿茶|红茶|乌龙茶|咖啡|豆浆|橙汁|牛奶|奶茶|啤酒|白酒|黄酒|酸梅汤|椰汁|菊花茶",
        "spices": "胡椒|桂皮|八角|花椒|姜|孜然|丁香|五香粉|辣椒|香叶|陈皮|草果|小茴香|芝麻|葱",
    },
}
