package no.ditiosync.simulator;

import java.util.List;

/** Word lists for a realistic Norwegian construction company, with æ, ø and å on purpose. */
final class NorwegianWords {

    private NorwegianWords() {
    }

    static final List<String> FIRST_NAMES = List.of(
            "Ola", "Kari", "Per", "Åse", "Ørjan", "Bjørn", "Kjærsti", "Håkon", "Sindre", "Solveig",
            "Jørgen", "Øystein", "Ståle", "Tore", "Mari", "Ingrid", "Sigrid", "Lars", "Eirik", "Magnus",
            "Jon", "Knut", "Trond", "Marius", "Åsmund", "Kåre", "Pål", "Anders", "Jan", "Geir",
            "Terje", "Rune", "Vegard", "Even", "Sølve", "Tormod", "Hege", "Linn", "Ægir", "Bård",
            "Frode", "Stian", "Håvard", "Øyvind", "Kristoffer", "Nils", "Arne", "Åge", "Torbjørn", "Line",
            "Tomasz", "Piotr", "Andrius", "Mindaugas", "Jonas", "Emil", "Jørn", "Siv", "Randi", "Gøran");

    static final List<String> LAST_NAMES = List.of(
            "Ødegård", "Bjørnstad", "Mæhle", "Sæther", "Hansen", "Johansen", "Olsen", "Larsen", "Berg",
            "Haugen", "Hagen", "Bakke", "Dahl", "Lie", "Strøm", "Kvåle", "Sørensen", "Løvås", "Grønvold",
            "Brækhus", "Nærø", "Aasen", "Åsheim", "Fjæra", "Thorsen", "Nygård", "Lunde", "Solberg",
            "Moen", "Myhre", "Sætre", "Bråten", "Kjærnes", "Holmøy", "Ås", "Vågen", "Rønning", "Søvik",
            "Engebråten", "Tveit", "Hægeland", "Nowak", "Kowalski", "Kazlauskas", "Grønli", "Ødegaard",
            "Lødøen", "Hårstad", "Skjærvø", "Mørk");

    static final List<String> DEPARTMENTS = List.of(
            "Anlegg Sør", "Bygg Øst", "Betong og forskaling", "Tømrer Trøndelag", "Maskin og transport",
            "Rør og VVS", "Elektro Møre", "Prosjekt Bjørvika", "Grunnarbeid Vestfold", "Rehabilitering Ålesund");

    /** Weighted: repeated titles are more common. */
    static final List<String> WORK_TITLES = List.of(
            "Tømrer", "Tømrer", "Tømrer", "Betongarbeider", "Betongarbeider", "Fagarbeider", "Fagarbeider",
            "Anleggsmaskinfører", "Anleggsmaskinfører", "Lærling", "Rørlegger", "Elektriker", "Stillasbygger",
            "Murer", "Hjelpearbeider");

    static final String MACHINE_OPERATOR = "Anleggsmaskinfører";
    static final String FOREMAN_TITLE = "Bas";

    static final List<String> PROJECT_NAMES = List.of(
            "Ny E6 Ålesund–Vestnes", "Rehabilitering Bjørvika kai", "Skoleutbygging Sætre", "Omsorgsboliger Ørsta",
            "Fjellhall Møllendal", "Brygge Bodø sjøfront", "Barnehage Løvåsen", "Idrettshall Fjærland",
            "VA-anlegg Strømsø", "Kontorbygg Bryggen Øst", "Boligfelt Bjørkelia", "Rundkjøring Rælingen",
            "Kaifront Træna", "Tunnel Ådalsbruk", "Sykehjem Hønefoss", "Parkeringshus Bærum",
            "Gang- og sykkelvei Sørumsand", "Renseanlegg Ålgård", "Flerbrukshall Mjøndalen", "Brufornyelse Kvæfjord",
            "Leiligheter Grünerløkka", "Ungdomsskole Førde", "Lager Økern", "Hotell Lærdalsøyri",
            "Bussterminal Lillestrøm", "Demning Rjukan", "Fjernvarme Åsane", "Næringsbygg Sandvika",
            "Vannverk Bømlo", "Rehabilitering Tøyen bad", "Moloanlegg Værøy", "Trafikkstasjon Ski",
            "Kulvert Hamar", "Bydelshus Årstad", "Høyblokk Bjørvika", "Fylkesvei Sauda–Røldal",
            "Pumpestasjon Søndre Nordstrand", "Kirkeloft Sælbu", "Studentboliger Gløshaugen", "Ferjekai Ølen");

    static final List<String> TASK_NAMES = List.of(
            "Forskaling", "Armering", "Støping", "Grunnarbeid", "Tømrerarbeid", "Rørlegging", "Elektroarbeid",
            "Riving", "Asfaltering", "Sprengning", "Mur og puss", "Taktekking", "Rigg og drift", "Stillas",
            "Drenering", "Montering av vinduer", "Isolering", "Gipsarbeid", "Kranarbeid", "Sluttrydding");

    /** External comments: some with ; and double quotes, to exercise CSV and JSON escaping downstream. */
    static final List<String> DESCRIPTIONS = List.of(
            "Forskaling dekke 3. etg",
            "Støp av fundament; akse B–C",
            "Armering \"kjeller\" sør",
            "Rydding etter snøfall",
            "Befaring med byggherre; avklart endring",
            "Montering av \"Ø-blokk\" vinduer",
            "Gravearbeid grøft; VA-ledning",
            "Venting på betongbil – 1 t forsinkelse",
            "Skifte av tætningslist på dør; \"hastesak\"",
            "Legging av rør under fortau, Ørstavegen",
            "Sprengning; sikring av skjæring",
            "Oppmåling med stikningsleder",
            "Taktekking på blokk Æ",
            "Sikring av byggegrop etter regnvær",
            "Møte med UE; gjennomgang av fremdrift",
            "Kapping og bæring av bjelker",
            "Isolering yttervegg, 2. etg",
            "Reparasjon av gravemaskin (hydraulikkslange)");

    static final List<String> TRAVEL_DESCRIPTIONS = List.of(
            "Kjøring til anlegget i Ørsta", "Reise hjem fra Bodø; fly forsinket", "Kjøring med \"firmabil\" til Sætre",
            "Reise til Ålesund", "Henting av materialer på Byggmakker, Økern");

    static final List<String> INTERNAL_NOTES = List.of(
            "Avtalt med bas", "Sjekk timer; uenig om overtid", "Flyttet fra feil prosjekt",
            "Godkjent etter samtale med Åse", "Mangler underskrift på timeliste", "Korrigert av lønn");

    static final List<String> MACHINES = List.of(
            "Gravemaskin CAT 320", "Hjullaster Volvo L90", "Dumper Bell B30", "Minigraver Kubota U27",
            "Valse Hamm H13", "Teleskoptruck Merlo P40", "Lastebil Scania R500", "Gravemaskin Hitachi ZX350");

    static final List<String> PAYROLL_CLERKS = List.of("Hilde Sæther", "Bjørg Ødegård", "Tove Kvåle");

    /** æ → ae, ø → o, å → a, for e-mail addresses. */
    static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            switch (c) {
                case 'æ' -> b.append("ae");
                case 'ø' -> b.append('o');
                case 'å' -> b.append('a');
                case 'ü' -> b.append('u');
                case ' ' -> b.append('-');
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
