# ruff: noqa: E501 - the keys are message ids and must match the code exactly
"""French texts for the gettext catalog, keyed by the English message id.

`make messages` extracts the ids from the code; this file holds the translations and
`python tools/french.py` writes them into src/leadgate/platform/engine/locale/fr/LC_MESSAGES/leadgate.po.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "src/leadgate/platform/engine/locale/leadgate.pot"
CATALOG = ROOT / "src/leadgate/platform/engine/locale/fr/LC_MESSAGES/leadgate.po"

FRENCH = {
    # --- CLI ---
    "Added table {name} (entity set {entity_set}, name column {primary}). Publish to create it: leadgate customize publish": "Table {name} ajoutée (jeu d'entités {entity_set}, colonne de nom {primary}). Publiez pour la créer : leadgate customize publish",
    "Added column {table}.{name}. Publish to create it: leadgate customize publish": "Colonne {table}.{name} ajoutée. Publiez pour la créer : leadgate customize publish",
    "Added choice {value} ({label}) to {table}.{column}. Publish to use it: leadgate customize publish": "Choix {value} ({label}) ajouté à {table}.{column}. Publiez pour l'utiliser : leadgate customize publish",
    "Nothing to publish.": "Rien à publier.",
    "{count} change(s) would be applied (dry run: nothing changed).": "{count} modification(s) seraient appliquées (simulation : rien n'a changé).",
    "Published {count} change(s).": "{count} modification(s) publiée(s).",
    "Setting up leadgate in {url} …": "Installation de leadgate dans {url} …",
    "Organization ready: {count} solution(s) installed.": "Organisation prête : {count} solution(s) installée(s).",
    "Demo organization: {users} users, {accounts} accounts, {contacts} contacts, {leads} leads ({open} open, {qualified} qualified, {disqualified} disqualified).":
        "Organisation de démonstration : {users} utilisateurs, {accounts} comptes, {contacts} "
        "contacts, {leads} prospects ({open} ouverts, {qualified} qualifiés, {disqualified} "
        "disqualifiés).",
    "The demo organization was already installed.":
        "L'organisation de démonstration était déjà installée.",
    "Sign in as {email} (password: {password}).": "Connectez-vous en tant que {email} (mot de passe : {password}).",
    "leadgate is serving {url}": "leadgate sert {url}",
    "API token for {email}: {token}": "Jeton d'API pour {email} : {token}",
    "Try: curl -H 'Authorization: Bearer {token}' {url}": "Essayez : curl -H 'Authorization: Bearer {token}' {url}",
    "Create an API token with: leadgate token create --email <email>": "Créez un jeton d'API avec : leadgate token create --email <e-mail>",
    "Registered step {name} ({id}).": "Étape {name} inscrite ({id}).",
    "Note: asynchronous steps are stored but do not run until system jobs exist.": "Remarque : les étapes asynchrones sont enregistrées mais ne s'exécutent pas tant que "
    "les tâches système n'existent pas.",
    "Step {name} is enabled.": "L'étape {name} est activée.",
    "Step {name} is disabled.": "L'étape {name} est désactivée.",
    "Plug-in trace log: {setting}.": "Journal de suivi des plug-ins : {setting}.",
    "Added user {email} ({id}).": "Utilisateur {email} ajouté ({id}).",
    "{email} is now disabled.": "{email} est désormais désactivé.",
    "{email} is now enabled.": "{email} est désormais activé.",
    "Password changed for {email}.": "Mot de passe modifié pour {email}.",
    "Revoked {count} token(s).": "{count} jeton(s) révoqué(s).",
    "Added business unit {name} under {parent} ({id}).":
        "Division {name} ajoutée sous {parent} ({id}).",
    "Added team {name} in {unit} ({id}).": "Équipe {name} ajoutée dans {unit} ({id}).",
    "Added {count} member(s) to {team}.": "{count} membre(s) ajouté(s) à {team}.",
    "Removed {count} member(s) from {team}.": "{count} membre(s) retiré(s) de {team}.",
    "{role}: every privilege at {depth} depth, those of tables added later too.":
        "{role} : tous les privilèges au niveau {depth}, y compris ceux des tables ajoutées "
        "plus tard.",
    "Granted {privileges} to {role} at {depth} depth.":
        "{privileges} accordé(s) à {role} au niveau {depth}.",
    "Removed {privilege} from {role}.": "{privilege} retiré de {role}.",
    "{role} did not have {privilege}.": "{role} n'avait pas {privilege}.",
    "{principal} already has the role {role}.": "{principal} a déjà le rôle {role}.",
    "Assigned the role {role} to {principal}.": "Rôle {role} attribué à {principal}.",
    "Removed the role {role} from {principal}.": "Rôle {role} retiré à {principal}.",
    "{principal} does not have the role {role}.": "{principal} n'a pas le rôle {role}.",
    "Shared {table} {id} with {principal}: {rights}.":
        "{table} {id} partagé avec {principal} : {rights}.",
    "{table} {id} is no longer shared with {principal}.":
        "{table} {id} n'est plus partagé avec {principal}.",
    "{email} has no security role yet: give one with leadgate roles assign <role> --user {email}":
        "{email} n'a encore aucun rôle de sécurité : attribuez-en un avec leadgate roles assign "
        "<rôle> --user {email}",
    "{email} is now in the business unit {unit}.": "{email} est désormais dans la division {unit}.",
    # --- errors: records and columns ---
    "The table '{table}' does not exist.": "La table « {table} » n'existe pas.",
    "The table '{table}' has no column '{column}'.": "La table « {table} » n'a pas de colonne « {column} ».",
    "The column '{column}' of table '{table}' is not published yet. Publish the customizations (leadgate customize publish) before using it.": "La colonne « {column} » de la table « {table} » n'est pas encore publiée. Publiez les "
    "personnalisations (leadgate customize publish) avant de l'utiliser.",
    "The value {value} is not valid for the column '{column}' of table '{table}': expected {expected}.": "La valeur {value} n'est pas valide pour la colonne « {column} » de la table « {table} » : "
    "attendu {expected}.",
    "A validation error occurred. The length of the '{column}' attribute of the '{table}' entity exceeded the maximum allowed length of '{max_length}' ({length} characters given).": "Une erreur de validation s'est produite. La longueur de l'attribut « {column} » de "
    "l'entité « {table} » dépasse la longueur maximale autorisée de « {max_length} » "
    "({length} caractères fournis).",
    "The value {value} of the column '{column}' of table '{table}' is outside the valid range: {minimum} to {maximum}.": "La valeur {value} de la colonne « {column} » de la table « {table} » est hors de la "
    "plage valide : {minimum} à {maximum}.",
    "The picklist value is out of the range: {value} is not an option of the column '{column}' of table '{table}'. Valid values: {valid}.": "La valeur de la liste de choix est hors limites : {value} n'est pas une option de la "
    "colonne « {column} » de la table « {table} ». Valeurs valides : {valid}.",
    "Required field missing: '{column}' ({label}) on table '{table}' needs a value.": "Champ obligatoire manquant : « {column} » ({label}) de la table « {table} » doit avoir "
    "une valeur.",
    "{status} is not a valid status code for state code {state_name} on {table} with Id {id}.": "Erreur de code d'état non valide : {status} n'est pas un code de statut valide pour le "
    "code d'état {state_name} sur {table} avec l'ID {id}.",
    "{state} is not a valid state code for table '{table}'. Valid values: {valid}.": "{state} n'est pas un code d'état valide pour la table « {table} ». Valeurs valides : "
    "{valid}.",
    "{table} With Id = {id} Does Not Exist": "{table} avec l'ID = {id} n'existe pas",
    "The column '{column}' of table '{table}' points at {target} with Id = {id}, which does not exist.": "La colonne « {column} » de la table « {table} » pointe vers {target} avec l'ID = {id}, "
    "qui n'existe pas.",
    "The column '{column}' of table '{table}' cannot point at a '{target}' record; it accepts {targets}.": "La colonne « {column} » de la table « {table} » ne peut pas pointer vers un "
    "enregistrement « {target} » ; elle accepte {targets}.",
    "The column '{column}' of table '{table}' is set by the platform and cannot be given when a record is created.": "La colonne « {column} » de la table « {table} » est renseignée par la plateforme et ne "
    "peut pas être fournie à la création d'un enregistrement.",
    "The column '{column}' of table '{table}' cannot be changed once the record exists.": "La colonne « {column} » de la table « {table} » ne peut plus être modifiée une fois "
    "l'enregistrement créé.",
    "The version of the existing record doesn't match the RowVersion property provided ({table} with Id {id}: version {expected} given, {actual} stored). Read the record again and retry.": "La version de l'enregistrement existant ne correspond pas à la propriété RowVersion "
    "fournie ({table} avec l'ID {id} : version {expected} fournie, {actual} enregistrée). "
    "Relisez l'enregistrement et réessayez.",
    "Cannot insert duplicate key: a {table} record with the same {columns} already exists.": "Impossible d'insérer une clé en double : un enregistrement {table} avec les mêmes "
    "{columns} existe déjà.",
    "The {table} record with Id {id} cannot be deleted: {count} {child} record(s) point at it through '{relationship}', whose delete behaviour is Restrict.": "L'enregistrement {table} avec l'ID {id} ne peut pas être supprimé : {count} "
    "enregistrement(s) {child} pointent vers lui par « {relationship} », dont le comportement "
    "de suppression est Restreindre.",
    "Records of table '{table}' cannot be deleted; {hint}": "Les enregistrements de la table « {table} » ne peuvent pas être supprimés ; {hint}",
    "Records of table '{table}' have no owner and cannot be assigned.": "Les enregistrements de la table « {table} » n'ont pas de propriétaire et ne peuvent pas "
    "être attribués.",
    "Records of table '{table}' have no status to set.": "Les enregistrements de la table « {table} » n'ont pas de statut à définir.",
    "The {table} record to {action} needs its id.": "L'enregistrement {table} à traiter ({action}) doit avoir son ID.",
    "disable the user instead.": "désactivez plutôt l'utilisateur.",
    "One transaction holds at most {maximum} requests; this one has {count}.":
        "Une transaction contient au plus {maximum} requêtes ; celle-ci en a {count}.",
    "{referencing}.{column} is not a lookup to {referenced}.":
        "{referencing}.{column} n'est pas une recherche vers {referenced}.",
    "the platform needs them.": "la plateforme en a besoin.",
    # --- errors: security ---
    "Insufficient permissions (Access denied): {user} is missing the privilege {privilege} on {table} at {depth} depth or more. Roles held: {roles}. An administrator can add it to one of these roles: leadgate roles grant <role> {privilege} --depth <depth>":
        "Accès refusé ou autorisations insuffisantes : il manque à {user} le privilège "
        "{privilege} sur {table} au niveau {depth} ou plus. Rôles détenus : {roles}. Un "
        "administrateur peut l'ajouter à l'un de ces rôles : leadgate roles grant <rôle> "
        "{privilege} --depth <niveau>",
    "Access denied: {user} has {privilege} only at {depth} depth, which does not reach the {table} record {id} (owner {owner}, business unit {unit}). {right} on it needs {needed} depth, or the record shared with them.":
        "Accès refusé : {user} n'a {privilege} qu'au niveau {depth}, qui n'atteint pas "
        "l'enregistrement {table} {id} (propriétaire {owner}, division {unit}). {right} sur cet "
        "enregistrement demande le niveau {needed}, ou que l'enregistrement lui soit partagé.",
    "Records of table '{table}' have no owner and cannot be shared.":
        "Les enregistrements de la table « {table} » n'ont pas de propriétaire et ne peuvent pas "
        "être partagés.",
    "'{privilege}' is not a privilege of this organization{hint}":
        "« {privilege} » n'est pas un privilège de cette organisation{hint}",
    ". Names read prv + right + table, for example prvCreateLead.":
        ". Les noms se lisent prv + droit + table, par exemple prvCreateLead.",
    "The privilege {privilege} cannot be granted at {depth} depth; it allows: {allowed}.":
        "Le privilège {privilege} ne peut pas être accordé au niveau {depth} ; il permet : "
        "{allowed}.",
    "the organization": "l'organisation",
    "no role": "aucun rôle",
    # --- errors: customization ---
    "'{name}' is not a valid {kind} name: {reason}": "« {name} » n'est pas un nom de {kind} valide : {reason}",
    "A {kind} named '{name}' already exists.": "Le nom « {name} » est déjà pris ({kind}).",
    "The definition of {kind} '{name}' is not valid: {reason}": "La définition de {kind} « {name} » n'est pas valide : {reason}",
    "The value {value} is already an option of the column '{column}' of table '{table}' ({label}).": "La valeur {value} est déjà une option de la colonne « {column} » de la table "
    "« {table} » ({label}).",
    "The column '{column}' of table '{table}' is not a choice column; it is of type {type}.": "La colonne « {column} » de la table « {table} » n'est pas une colonne de choix ; elle est "
    "de type {type}.",
    "Publishing would lose data and was refused: {detail}": "La publication ferait perdre des données et a été refusée : {detail}",
    "The database {url} holds no leadgate organization. Create one with: leadgate init --db {url}": "La base de données {url} ne contient aucune organisation leadgate. Créez-en une avec : "
    "leadgate init --db {url}",
    "The database was set up by an older leadgate (solution {solution} {installed}, this version ships {shipped}). Upgrade it with: leadgate init --db {url}": "La base de données a été installée par une version plus ancienne de leadgate (solution "
    "{solution} {installed}, cette version fournit {shipped}). Mettez-la à jour avec : "
    "leadgate init --db {url}",
    "table": "table",
    "column": "colonne",
    "relationship": "relation",
    "entity map": "mappage d'entité",
    "a name is required.": "un nom est requis.",
    "names are at most {maximum} characters long.": "les noms comptent au plus {maximum} caractères.",
    "use lower-case letters, digits and underscores, starting with a letter.": "utilisez des minuscules, des chiffres et des traits de soulignement, en commençant par "
    "une lettre.",
    "the prefix '{prefix}' is reserved for leadgate's own tables.": "le préfixe « {prefix} » est réservé aux tables de leadgate.",
    "custom names start with a publisher prefix of 2 to 8 letters or digits and an underscore, for example new_score.": "les noms personnalisés commencent par un préfixe d'éditeur de 2 à 8 lettres ou chiffres "
    "suivi d'un trait de soulignement, par exemple new_score.",
    "every table already has its own {type} column; add values to it instead.": "chaque table a déjà sa propre colonne {type} ; ajoutez-y plutôt des valeurs.",
    "the maximum length must be between 1 and {ceiling}.": "la longueur maximale doit être comprise entre 1 et {ceiling}.",
    "only text columns have a maximum length.": "seules les colonnes de texte ont une longueur maximale.",
    "the precision is out of range.": "la précision est hors limites.",
    "a lookup points at exactly one table.": "une recherche pointe vers une seule table.",
    "only lookup columns have target tables.": "seules les colonnes de recherche ont des tables cibles.",
    "two options have the same value.": "deux options ont la même valeur.",
    "only choice columns have options.": "seules les colonnes de choix ont des options.",
    "option values are whole numbers between -2147483648 and 2147483647.": "les valeurs d'option sont des nombres entiers compris entre -2147483648 et 2147483647.",
    "only status reasons belong to a state.": "seules les raisons de statut appartiennent à un état.",
    "the solution makes it {new} but the database has {old}; leadgate never changes a column's type.": "la solution en fait {new} mais la base de données a {old} ; leadgate ne change jamais le "
    "type d'une colonne.",
    "create table {table} ({count} columns)": "créer la table {table} ({count} colonnes)",
    "create index {index} on {table} ({columns})": "créer l'index {index} sur {table} ({columns})",
    "add column {table}.{column} ({type})": "ajouter la colonne {table}.{column} ({type})",
    "add choice {value} ({label}) to {table}.{column}": "ajouter le choix {value} ({label}) à {table}.{column}",
    "add relationship {name} ({referencing}.{column} -> {referenced})": "ajouter la relation {name} ({referencing}.{column} -> {referenced})",
    # --- maps ---
    "The attribute map {map} cannot be saved: {reason}":
        "Le mappage d'attribut {map} ne peut pas être enregistré : {reason}",
    "the source is {source} and the target {target}: a map copies between columns of the same type.":
        "la source est de type {source} et la cible de type {target} : un mappage copie entre "
        "colonnes du même type.",
    "the source's format is {source} and the target's {target}; they must match.":
        "le format de la source est {source} et celui de la cible {target} ; ils doivent être "
        "identiques.",
    "the target holds {target} characters, fewer than the source's {source}.":
        "la cible contient {target} caractères, moins que les {source} de la source.",
    "the source points at {source} and the target at {target}.":
        "la source pointe vers {source} et la cible vers {target}.",
    "the target column is set by the platform and cannot be written.":
        "la colonne cible est renseignée par la plateforme et ne peut pas être écrite.",
    "the target column is already mapped.": "la colonne cible est déjà mappée.",
    "the source can hold the choice values {values}, which the target does not have; the value is copied as a number, so it would be refused.":
        "la source peut contenir les valeurs de choix {values}, que la cible n'a pas ; la "
        "valeur étant copiée comme un nombre, elle serait refusée.",
    "The value was copied from {source} by the attribute map {map} of the entity map {source_table} -> {target_table}. Add the value to {target}, or remove the map (leadgate maps remove {map_id}).":
        "La valeur a été copiée de {source} par le mappage d'attribut {map} du mappage "
        "d'entité {source_table} -> {target_table}. Ajoutez la valeur à {target}, ou supprimez "
        "le mappage (leadgate maps remove {map_id}).",
    "The attribute map {map} copies this column to {target}, which has no value {value}: new {target_table} records made from records holding it will be refused.":
        "Le mappage d'attribut {map} copie cette colonne vers {target}, qui n'a pas de valeur "
        "{value} : les nouveaux enregistrements {target_table} créés à partir d'enregistrements "
        "qui la contiennent seront refusés.",
    "add the value to the target: leadgate customize add-choice {table} {column} --value {value} --label '{label}'{state}":
        "ajoutez la valeur à la cible : leadgate customize add-choice {table} {column} --value "
        "{value} --label '{label}'{state}",
    "or remove the map: leadgate maps remove {map_id}":
        "ou supprimez le mappage : leadgate maps remove {map_id}",
    "The value was copied from {source} by the attribute map {map} of the entity map {source_table} -> {target_table}. On {target_table}, {status} is a status reason of the state {state}, not of the state new records start in: remove the map (leadgate maps remove {map_id}).":
        "La valeur a été copiée de {source} par le mappage d'attribut {map} du mappage "
        "d'entité {source_table} -> {target_table}. Sur {target_table}, {status} est une raison "
        "du statut de l'état {state}, et non de l'état dans lequel commencent les nouveaux "
        "enregistrements : supprimez le mappage (leadgate maps remove {map_id}).",
    "Warning: {message}": "Avertissement : {message}",
    "Lead {name} ({id}) is now {state}: {status}.":
        "Le prospect {name} ({id}) est désormais {state} : {status}.",
    "Created {table} {id} ({name}).": "{table} {id} créé ({name}).",
    "No record was created.": "Aucun enregistrement n'a été créé.",
    "(no leads)": "(aucun prospect)",
    "(no maps)": "(aucun mappage)",
    "(no attribute map)": "(aucun mappage d'attribut)",
    "Added the entity map {source} -> {target}.":
        "Mappage d'entité {source} -> {target} ajouté.",
    "Added the attribute map {map} ({id}).": "Mappage d'attribut {map} ajouté ({id}).",
    "Changed the attribute map {before} to {after}.":
        "Mappage d'attribut {before} changé en {after}.",
    "Removed the attribute map {map} ({id}).": "Mappage d'attribut {map} supprimé ({id}).",
    # --- CLI: business process flows ---
    "(no processes)": "(aucun processus)",
    "required": "obligatoire",
    "{process} ({state}): {count} stage(s), starting with each new {table}; instances in {instances}.":
        "{process} ({state}) : {count} étape(s), démarre à chaque nouvel enregistrement "
        "{table} ; instances dans {instances}.",
    "Activated the process {process}: each new {table} starts it.":
        "Processus {process} activé : chaque nouvel enregistrement {table} le démarre.",
    "Deactivated the process {process}: new records no longer start it.":
        "Processus {process} désactivé : les nouveaux enregistrements ne le démarrent plus.",
    "The step {step} ({column}) of the stage {stage} is now required.":
        "Le pas {step} ({column}) de l'étape {stage} est désormais obligatoire.",
    "The step {step} ({column}) of the stage {stage} is now optional.":
        "Le pas {step} ({column}) de l'étape {stage} est désormais facultatif.",
    "Process: {process} ({status}).": "Processus : {process} ({status}).",
    "Active stage: none (the instance names no stage of its process).":
        "Étape active : aucune (l'instance ne désigne aucune étape de son processus).",
    "Active stage: {stage} (on {table}), since {started}.":
        "Étape active : {stage} (sur {table}), depuis le {started}.",
    "Traversed path: {path}.": "Chemin parcouru : {path}.",
    "No {table} belongs to this process yet.":
        "Aucun enregistrement {table} n'appartient encore à ce processus.",
    "Required steps still empty: {steps}. The process cannot move on until they are filled in.":
        "Étapes requises encore vides : {steps}. Le processus ne peut pas avancer tant "
        "qu'elles ne sont pas renseignées.",
    "Notice: {message}": "Remarque : {message}",
    "The process {process} is now on the stage {stage}.":
        "Le processus {process} est désormais à l'étape {stage}.",
    "The process {process} stays on the stage {stage}.":
        "Le processus {process} reste à l'étape {stage}.",
    "the parameter {name} takes true or false, not {value}.":
        "le paramètre {name} prend true ou false, pas {value}.",
    "the parameter {name} takes a whole number, not {value}.":
        "le paramètre {name} prend un nombre entier, pas {value}.",
    'the parameter {name} takes a record, e.g. {{"@odata.type": "Microsoft.Dynamics.CRM.account", "accountid": "<GUID>"}}, not {value}.':
        'le paramètre {name} prend un enregistrement, par exemple {{"@odata.type": '
        '"Microsoft.Dynamics.CRM.account", "accountid": "<GUID>"}}, pas {value}.',
    'the parameter {name} must name its table, e.g. "@odata.type": "Microsoft.Dynamics.CRM.account" (given: {type}).':
        'le paramètre {name} doit nommer sa table, par exemple "@odata.type": '
        '"Microsoft.Dynamics.CRM.account" (donné : {type}).',
    "the parameter {name} must give the record's {key} as a GUID (given: {value}).":
        "le paramètre {name} doit donner le {key} de l'enregistrement sous forme de GUID "
        "(donné : {value}).",
    "the action has no parameter {names}.": "l'action n'a pas de paramètre {names}.",
    "the source can hold the status reasons {values} when it is copied, which a new {table} record cannot take (it starts {state}); the value is copied as a number, so it would be refused.":
        "la source peut contenir les raisons du statut {values} lorsqu'elle est copiée, qu'un "
        "nouvel enregistrement {table} ne peut pas prendre (il commence à l'état {state}) ; la "
        "valeur étant copiée comme un nombre, elle serait refusée.",
    # --- sales ---
    "The lead is closed and you can't convert or qualify a lead that is already closed. (Lead {id} is {state}: reactivate it first, or pick it from the Open Leads view.)":
        "Le prospect est fermé et vous ne pouvez pas convertir ou qualifier un prospect déjà "
        "fermé. (Le prospect {id} est {state} : réactivez-le d'abord, ou choisissez-le dans "
        "l'affichage Prospects ouverts.)",
    "This organization asks which records to create when a lead is qualified: give CreateAccount, CreateContact and CreateOpportunity (missing: {missing}).":
        "Cette organisation demande quels enregistrements créer lors de la qualification d'un "
        "prospect : indiquez CreateAccount, CreateContact et CreateOpportunity (manquant : "
        "{missing}).",
    "The opportunity's customer must be an account or a contact, not a {table} record.":
        "Le client de l'opportunité doit être un compte ou un contact, pas un enregistrement "
        "{table}.",
    "QualifyLead qualifies leads; {table} records cannot be qualified.":
        "QualifyLead qualifie des prospects ; les enregistrements {table} ne peuvent pas être "
        "qualifiés.",
    # --- errors: plug-ins ---
    "{message}": "{message}",
    "Unexpected exception from plug-in step '{step}' ({handler}): {exception}": "Exception inattendue de l'étape de plug-in « {step} » ({handler}) : {exception}",
    "The operation was cancelled because plug-ins started nested operations more than {max_depth} levels deep, which looks like an infinite loop: {chain}": "L'opération a été annulée car des plug-ins ont lancé des opérations imbriquées sur plus "
    "de {max_depth} niveaux, ce qui ressemble à une boucle infinie : {chain}",
    "The plug-in '{handler}' cannot be loaded: {reason}": "Le plug-in « {handler} » ne peut pas être chargé : {reason}",
    "The plug-in step cannot be registered: {reason}": "L'étape de plug-in ne peut pas être inscrite : {reason}",
    "'{message}' is not a message this organization knows. Known messages: {known}.": "« {message} » n'est pas un message connu de cette organisation. Messages connus : "
    "{known}.",
    "steps cannot be registered on the table '{table}'.": "aucune étape ne peut être inscrite sur la table « {table} ».",
    "asynchronous steps run after the operation: use stage 40.": "les étapes asynchrones s'exécutent après l'opération : utilisez la phase 40.",
    "filtering columns apply to the Update message only.": "les colonnes de filtrage ne s'appliquent qu'au message Update.",
    "name the table before naming its columns in {setting}.": "indiquez la table avant de nommer ses colonnes dans {setting}.",
    "a Create has no pre-image: the record does not exist yet.": "un Create n'a pas de pré-image : l'enregistrement n'existe pas encore.",
    "the message {message} has no post-image.": "le message {message} n'a pas de post-image.",
    # --- errors: queries and Web API ---
    "the paging cookie is not one this server issued.":
        "le cookie de pagination n'a pas été émis par ce serveur.",
    "unknown condition operator '{operator}'.": "opérateur de condition inconnu « {operator} ».",
    "the operator '{operator}' takes exactly one value.":
        "l'opérateur « {operator} » prend exactement une valeur.",
    "the operator '{operator}' compares text, and '{column}' is not text.":
        "l'opérateur « {operator} » compare du texte, et « {column} » n'est pas du texte.",
    "the operator 'between' takes two values.": "l'opérateur « between » prend deux valeurs.",
    "unknown filter operator '{operator}'.": "opérateur de filtre inconnu « {operator} ».",
    "the number of records to return cannot be negative.":
        "le nombre d'enregistrements à renvoyer ne peut pas être négatif.",
    "page size and page number start at 1.":
        "la taille et le numéro de page commencent à 1.",
    "IfRowVersionMatches needs the record's row version.":
        "IfRowVersionMatches a besoin de la version de l'enregistrement.",
    "write it as package.module:function.": "écrivez-le sous la forme paquet.module:fonction.",
    "{module} has no attribute '{attribute}'.": "{module} n'a pas d'attribut « {attribute} ».",
    "'{attribute}' is not callable.": "« {attribute} » ne peut pas être appelé.",
    "The query is not valid: {detail}": "La requête n'est pas valide : {detail}",
    "Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{table}'.": "Impossible de trouver une propriété nommée « {name} » sur le type "
    "« Microsoft.Dynamics.CRM.{table} ».",
    "Resource not found for the segment '{segment}'.": "Ressource introuvable pour le segment « {segment} ».",
    "Error identified in Payload provided by the user for Entity :'{table}': {detail}": "Erreur identifiée dans les données fournies par l'utilisateur pour l'entité "
    "« {table} » : {detail}",
    # --- errors: users and sign-in ---
    "Sign-in required: send a valid API token as 'Authorization: Bearer <token>'. An administrator creates one with: leadgate token create --email <email>": "Connexion requise : envoyez un jeton d'API valide dans 'Authorization: Bearer <jeton>'. "
    "Un administrateur en crée un avec : leadgate token create --email <e-mail>",
    "The user {user} is disabled and cannot sign in.": "L'utilisateur {user} est désactivé et ne peut pas se connecter.",
    "No user has the e-mail address '{email}'.": "Aucun utilisateur n'a l'adresse e-mail « {email} ».",
    "No active API token matches '{token}'.": "Aucun jeton d'API actif ne correspond à « {token} ».",
    "The password is too short: use at least {minimum} characters.": "Le mot de passe est trop court : utilisez au moins {minimum} caractères.",
    # --- errors: storage ---
    "The database is busy with another change; nothing was saved. Try again.": "La base de données est occupée par une autre modification ; rien n'a été enregistré. "
    "Réessayez.",
    "The database cannot be reached: {detail}": "La base de données est inaccessible : {detail}",
    "An unexpected error occurred: {detail}": "Une erreur inattendue s'est produite : {detail}",
    # --- Web API ---
    "the request was refused: {reason}":
        "la requête a été refusée : {reason}",
    "The method {method} is not allowed here; use {allowed}.":
        "La méthode {method} n'est pas autorisée ici ; utilisez {allowed}.",
    "the server failed while handling the request; the error is logged.":
        "le serveur a échoué en traitant la requête ; l'erreur est journalisée.",
    "the header {header} must be * or one entity tag such as W/\"5\", not '{value}'.":
        "l'en-tête {header} doit valoir * ou une seule balise d'entité comme W/\"5\", pas « {value} ».",
    "the preference odata.maxpagesize needs a whole number from 1, not '{value}'.":
        "la préférence odata.maxpagesize attend un nombre entier à partir de 1, pas « {value} ».",
    "$filter cannot be read at position {position}: '{text}'.":
        "$filter ne peut pas être lu à la position {position} : « {text} ».",
    "the function '{function}' is not supported in $filter; use contains, startswith or endswith.":
        "la fonction « {function} » n'est pas prise en charge dans $filter ; utilisez contains, startswith ou endswith.",
    "{what} is not supported in $filter yet.":
        "$filter ne prend pas encore en charge {what}.",
    "$filter is empty.":
        "$filter est vide.",
    "$filter must be made of comparisons such as name eq 'x', not {what}.":
        "$filter se compose de comparaisons comme name eq 'x' ; trouvé : {what}.",
    "$filter is not valid: {reason}":
        "$filter n'est pas valide : {reason}",
    "a comparison in $filter needs a property on one side.":
        "une comparaison dans $filter attend une propriété d'un côté.",
    "{function} needs a property and a text in quotes, as in {function}(name,'abc').":
        "{function} attend une propriété et un texte entre apostrophes, comme dans {function}(name,'abc').",
    "$filter ends too early: '{text}'.":
        "$filter se termine trop tôt : « {text} ».",
    "'in' needs a property on its left and a list on its right.":
        "« in » attend une propriété à gauche et une liste à droite.",
    "null can only be compared with eq or ne.":
        "null ne se compare qu'avec eq ou ne.",
    "$top needs a whole number from 0, not '{value}'.":
        "$top attend un nombre entier à partir de 0, pas « {value} ».",
    "$count is true or false, not '{value}'.":
        "$count vaut true ou false, pas « {value} ».",
    "$select needs column names separated by commas.":
        "$select attend des noms de colonnes séparés par des virgules.",
    "$expand is not supported yet; read related records with their own request.":
        "$expand n'est pas encore pris en charge ; lisez les enregistrements liés avec leur propre requête.",
    "the query option '{option}' is not supported. Supported: {supported}.":
        "l'option de requête « {option} » n'est pas prise en charge. Prises en charge : {supported}.",
    "the query option '{option}' cannot be used here.":
        "l'option de requête « {option} » ne peut pas être utilisée ici.",
    "the query option '{option}' is given twice.":
        "l'option de requête « {option} » est donnée deux fois.",
    "$orderby needs 'column', 'column asc' or 'column desc', separated by commas; '{part}' is none of them.":
        "$orderby attend « colonne », « colonne asc » ou « colonne desc », séparés par des virgules ; « {part} » n'est rien de cela.",
    "the body must be sent as application/json, not '{media_type}'.":
        "le corps doit être envoyé en application/json, pas en « {media_type} ».",
    "the body is empty; send a JSON object.":
        "le corps est vide ; envoyez un objet JSON.",
    "the body must be a JSON object, not {kind}.":
        "le corps doit être un objet JSON, pas {kind}.",
    "the body holds text that is not valid Unicode.":
        "le corps contient du texte qui n'est pas de l'Unicode valide.",
    "'{name}@odata.bind' must be a record URL such as /accounts(<GUID>), not {value}.":
        "« {name}@odata.bind » doit être l'URL d'un enregistrement comme /accounts(<GUID>), pas {value}.",
    "'{name}@odata.bind' names '{entity_set}', which is no entity set.":
        "« {name}@odata.bind » nomme « {entity_set} », qui n'est pas un jeu d'entités.",
    "the body is not valid JSON ({reason}).":
        "le corps n'est pas du JSON valide ({reason}).",
    "'{name}' is not a lookup, so it cannot take @odata.bind.":
        "« {name} » n'est pas une recherche et ne peut donc pas recevoir @odata.bind.",
    "'{name}' is read-only; set a lookup with '<lookup>@odata.bind': '/<entityset>(<GUID>)'.":
        "« {name} » est en lecture seule ; définissez une recherche avec '<recherche>@odata.bind': '/<jeu d'entités>(<GUID>)'.",
    "the lookup '{name}' is set with '{name}@odata.bind': '/<entityset>(<GUID>)'.":
        "la recherche « {name} » se définit avec '{name}@odata.bind': '/<jeu d'entités>(<GUID>)'.",
    "the lookup '{column}' is given more than once.":
        "la recherche « {column} » est donnée plus d'une fois.",
    "the key '{key}' of {entity_set} is not a GUID such as 00000000-0000-0000-0000-000000000001.":
        "la clé « {key} » de {entity_set} n'est pas un GUID comme 00000000-0000-0000-0000-000000000001.",
    "send If-Match or If-None-Match, not both.":
        "envoyez If-Match ou If-None-Match, pas les deux.",
    "on PATCH, If-None-Match only takes * (create, never update).":
        "avec PATCH, If-None-Match n'accepte que * (créer, jamais mettre à jour).",
    "Yes":
        "Oui",
    "No":
        "Non",
    "an array":
        "un tableau",
    "a string":
        "une chaîne",
    "a boolean":
        "un booléen",
    "null":
        "null",
    "a number":
        "un nombre",
    "a navigation path (a/b)":
        "un chemin de navigation (a/b)",
    "a time literal":
        "un littéral d'heure",
    "a duration":
        "une durée",
    "a geography literal":
        "un littéral géographique",
    "arithmetic":
        "l'arithmétique",
    "any/all":
        "any/all",
    "a list outside 'in'":
        "une liste hors de « in »",
    "a property on its own":
        "une propriété seule",
    "a function here":
        "une fonction à cet endroit",
    "a value on its own":
        "une valeur seule",
    "this expression":
        "cette expression",
    # --- value types ---
    "text": "du texte",
    "a whole number": "un nombre entier",
    "a decimal number": "un nombre décimal",
    "an amount of money": "un montant",
    "true or false": "vrai ou faux (true ou false)",
    "a choice value (a whole number)": "une valeur de choix (un nombre entier)",
    "a state value (a whole number)": "une valeur d'état (un nombre entier)",
    "a status reason value (a whole number)": "une valeur de raison du statut (un nombre entier)",
    "a GUID": "un GUID",
    "text without NUL characters": "du texte sans caractère NUL",
    "The database refused a value: {detail}": "La base de données a refusé une valeur : {detail}",
    "a date (YYYY-MM-DD)": "une date (AAAA-MM-JJ)",
    "a date and time (ISO 8601, for example 2026-11-23T09:30:00Z)": "une date et une heure (ISO 8601, par exemple 2026-11-23T09:30:00Z)",
    "a reference to a record of {targets}": "une référence à un enregistrement de {targets}",
    # --- business process flows ---
    "To move to the next stage, complete the required steps. (Stage {stage}, empty: {steps}. Fill them in, save, and try again.)":
        "Pour passer à l'étape suivante, effectuez les étapes requises. (Étape {stage}, vides : "
        "{steps}. Renseignez-les, enregistrez, puis réessayez.)",
    "The stage does not move: the next stage, {stage}, is on {table}, and no {table} belongs to this process yet. {hint}":
        "L'étape ne change pas : l'étape suivante, {stage}, est sur {table}, et aucun "
        "enregistrement {table} n'appartient encore à ce processus. {hint}",
    "The stage {stage} cannot be made active from {active}: a process moves on to its next stage ({next}) or back to a stage it has visited.":
        "L'étape {stage} ne peut pas devenir active depuis {active} : un processus passe à son "
        "étape suivante ({next}) ou revient à une étape déjà parcourue.",
    "The stage {stage} is not a stage of the process {process}.": "L'étape {stage} n'est pas une étape du processus {process}.",
    "The traversed path {given} does not match the move to {stage}: it would be {expected}. Send that path, or leave traversedpath out and it is computed.":
        "Le chemin parcouru {given} ne correspond pas au passage à {stage} : il serait "
        "{expected}. Envoyez ce chemin, ou omettez traversedpath et il sera calculé.",
    "The process {process} of this record is {status}: reactivate it before moving it.": "Le processus {process} de cet enregistrement est {status} : réactivez-le avant de le faire avancer.",
    "{stage} is the last stage of {process}: there is no next stage. Finish the process.": "{stage} est la dernière étape de {process} : il n'y a pas d'étape suivante. Terminez le processus.",
    "{stage} is the first stage of {process}: there is no previous stage.": "{stage} est la première étape de {process} : il n'y a pas d'étape précédente.",
    "The process {process} finishes on its last stage, {last}, and it is on {stage}: move it on first.":
        "Le processus {process} se termine à sa dernière étape, {last}, et il est à l'étape "
        "{stage} : faites-le d'abord avancer.",
    "The process definition is not valid: {reason}": "La définition du processus n'est pas valide : {reason}",
    "The table '{table}' does not hold business process flow instances.": "La table « {table} » ne contient pas d'instances de flux de processus d'entreprise.",
    "No active business process flow follows {table} {id}.": "Aucun flux de processus d'entreprise actif ne suit {table} {id}.",
    "the instance table {table} does not exist or lacks the process columns ({columns}).": "la table des instances {table} n'existe pas ou n'a pas les colonnes d'un processus ({columns}).",
    "the process {process} has no stage.": "le processus {process} n'a aucune étape.",
    "the first stage, {stage}, is on {table}, not on the process's table {primary}.": "la première étape, {stage}, est sur {table} et non sur la table du processus, {primary}.",
    "the step {step} of {stage} names {column}, which {table} does not have.": "le pas {step} de {stage} désigne {column}, que {table} n'a pas.",
    "no relationship links {first} (stage {stage}) to {second} (stage {next}).": "aucune relation ne lie {first} (étape {stage}) à {second} (étape {next}).",
    "the stage {stage} is on {table}, which does not exist.": "l'étape {stage} est sur {table}, qui n'existe pas.",
    "the instance table {instance} has no lookup to {table}, the table of {stage}.": "la table des instances {instance} n'a pas de recherche vers {table}, la table de {stage}.",
    "Active stage is not on 'Lead' entity. (The process {process} is on {stage}, a stage of {table}: select Set Active on the {lead_stage} stage, then qualify again.)":
        "L'étape active n'est pas sur l'entité de prospect. (Le processus {process} est à "
        "l'étape {stage}, une étape de {table} : sélectionnez Définir actif sur l'étape "
        "{lead_stage}, puis qualifiez à nouveau.)",
    "The process instance {id} does not follow the lead {lead}, or is not active.": "L'instance de processus {id} ne suit pas le prospect {lead}, ou n'est pas active.",
    "The process is on {stage}, a stage of {table}: '{column}' cannot be emptied while it is. Move the process back to an earlier stage first.":
        "Le processus est à l'étape {stage}, une étape de {table} : « {column} » ne peut pas "
        "être vidé tant qu'il y est. Ramenez d'abord le processus à une étape précédente.",
    # --- duplicate detection ---
    "there is no table '{table}'.": "il n'existe pas de table « {table} ».",
    "{table} '{name}' ({id}), by the rule '{rule}'": '{table} « {name} » ({id}), par la règle « {rule} »',
    "{table} has no column '{column}'.": "{table} n'a pas de colonne « {column} ».",
    "the criteria '{operator}' cannot compare the column '{column}' of {table} ({type}).": 'le critère « {operator} » ne peut pas comparer la colonne « {column} » de {table} ({type}).',
    "'{base}' ({base_type}) and '{matching}' ({matching_type}) are not the same kind of column.": '« {base} » ({base_type}) et « {matching} » ({matching_type}) ne sont pas des colonnes de même nature.',
    "'{operator}' needs a number of characters of at least 1.": "« {operator} » demande un nombre de caractères d'au moins 1.",
    "the similarity of 'Similar Name' is between 1 and 100, not {value}.": 'la similarité de « Nom similaire » est comprise entre 1 et 100, pas {value}.',
    'it has no condition; add one before publishing.': "elle n'a aucune condition ; ajoutez-en une avant de la publier.",
    'A record was not created or updated because a duplicate of the current record already exists.': "Un enregistrement n'a pas été créé ou mis à jour, car un doublon de l'enregistrement actif existe déjà.",
    'A table can have at most {limit} published duplicate detection rules, and {table} has them already: {rules}. Unpublish one of them first.': "Une table peut avoir au plus {limit} règles de détection des doublons publiées, et {table} les a déjà : {rules}. Annulez d'abord la publication de l'une d'elles.",
    "The duplicate detection rule '{rule}' cannot work: {reason}": 'La règle de détection des doublons « {rule} » ne peut pas fonctionner : {reason}',
    "The duplicate detection rule '{rule}' is {status}: unpublish it before changing its tables or conditions.": "La règle de détection des doublons « {rule} » est à l'état {status} : annulez sa publication avant de modifier ses tables ou ses conditions.",
    "No duplicate detection rule is named or has the id '{rule}'.": "Aucune règle de détection des doublons ne porte le nom ou l'identifiant « {rule} ».",
    'Possible duplicates: {matches}.': 'Doublons possibles : {matches}.',
    'Possible duplicates: {matches}. {fix}': 'Doublons possibles : {matches}. {fix}',
    'the batch size is at least 1.': "la taille d'un lot est d'au moins 1.",
    'There might already be a match for this account or contact. If so, please select it.': "Il peut déjà y avoir une correspondance pour ce compte ou ce contact. Si c'est le cas, sélectionnez-le.",
    "To use an existing record, set it as the lead's Existing Account (parentaccountid) or Existing Contact (parentcontactid) and qualify again: it is linked, not created. To create new records anyway, qualify again with duplicate detection suppressed (Continue).": 'Pour utiliser un enregistrement existant, indiquez-le comme Compte existant (parentaccountid) ou Contact existant (parentcontactid) du prospect et qualifiez-le de nouveau : il est lié, pas créé. Pour créer quand même de nouveaux enregistrements, qualifiez de nouveau sans détection des doublons (Continuer).',
    # --- duplicate detection: Web API and CLI ---
    "the header {header} takes true or false, not '{value}'.": "l'en-tête {header} prend true ou false, pas « {value} ».",
    "the parameters of {function} are written Name=value or Name=@alias, separated by commas; '{text}' is not.": "les paramètres de {function} s'écrivent Nom=valeur ou Nom=@alias, séparés par des virgules ; « {text} » ne l'est pas.",
    'the parameter {name} is given twice.': 'le paramètre {name} est donné deux fois.',
    'the parameter alias {alias} has no value in the query string.': "l'alias de paramètre {alias} n'a pas de valeur dans la chaîne de requête.",
    'the parameter {name} takes a JSON value such as {example}, not {value}.': 'le paramètre {name} prend une valeur JSON telle que {example}, pas {value}.',
    "the parameter {name} takes a table's logical name in quotes, e.g. 'account', not {value}.": "le paramètre {name} prend le nom logique d'une table entre apostrophes, p. ex. 'account', pas {value}.",
    'the parameter {name} has no property {names}.': "le paramètre {name} n'a pas de propriété {names}.",
    'the function {function} has no parameter {names}; its parameters: {known}.': "la fonction {function} n'a pas de paramètre {names} ; ses paramètres : {known}.",
    'the function {function} needs the parameter {name}.': 'la fonction {function} demande le paramètre {name}.',
    '(no duplicate detection rules)': '(aucune règle de détection des doublons)',
    '{rule} ({status}): each {base} record is compared with the {matching} records.': '{rule} ({status}) : chaque enregistrement {base} est comparé aux enregistrements {matching}.',
    'Inactive matching records are excluded.': 'Les enregistrements correspondants inactifs sont exclus.',
    'Inactive matching records are included.': 'Les enregistrements correspondants inactifs sont inclus.',
    'Text is compared case-sensitively.': 'Le texte est comparé en respectant la casse.',
    'Text is compared ignoring case.': 'Le texte est comparé sans tenir compte de la casse.',
    '(no conditions)': '(aucune condition)',
    'Added the rule {rule} ({id}), unpublished: add its conditions, then publish it.': 'Règle {rule} ajoutée ({id}), non publiée : ajoutez ses conditions, puis publiez-la.',
    'Added the condition {condition} ({id}) to the rule {rule}.': 'Condition {condition} ({id}) ajoutée à la règle {rule}.',
    'Removed the condition {condition} from the rule {rule}.': 'Condition {condition} retirée de la règle {rule}.',
    'The rule {rule} is already published.': 'La règle {rule} est déjà publiée.',
    'Resuming after {done} of {total} records.': 'Reprise après {done} enregistrements sur {total}.',
    'Published the rule {rule}: {total} {table} records have their match codes.': 'Règle {rule} publiée : {total} enregistrements {table} ont leurs codes de correspondance.',
    'The rule {rule} is unpublished.': "La publication de la règle {rule} est annulée.",
    'Deleted the rule {rule} ({id}).': 'Règle {rule} supprimée ({id}).',
    'No duplicates found.': 'Aucun doublon trouvé.',
    'Link an existing record with --use-account ID or --use-contact ID, or create new records anyway with --continue.': 'Liez un enregistrement existant avec --use-account ID ou --use-contact ID, ou créez quand même de nouveaux enregistrements avec --continue.',
}


def main() -> int:
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="fr", domain="leadgate", project="leadgate", fuzzy=False)
    missing = []
    for message in template:
        if not message.id:
            continue
        french = FRENCH.get(message.id)
        if french is None:
            missing.append(message.id)
        catalog.add(message.id, french or "", flags=message.flags)
    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, width=100)
    for text in missing:
        print(f"missing French for: {text!r}", file=sys.stderr)
    unused = set(FRENCH) - {m.id for m in template if m.id}
    for text in sorted(unused):
        print(f"unused translation: {text!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
