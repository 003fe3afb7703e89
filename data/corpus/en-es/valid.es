Redondea un número positivo al alza y un número negativo a la baja hasta el entero par más próximo.
cada identificador sin declarar se reporta sólo una vez para cada función en el que aparece
Debe reiniciar la sesión para que se apliquen los cambios
filenames: una lista de nombres de archivo separados por comas. Cada uno de los nombres de archivo debe respetar la notación de SF_FileSystem.FileNaming.
Estilizar los mapas de bits seleccionados de modo que parezcan pintados al óleo
Puede asignar secuencias de órdenes personalizadas (macros) a elementos de menú, iconos, controles de diálogos y eventos de LibreOffice.
Puede introducir en esta entrada un valor de color en estilo HTML hexadecimal, o simplemente un nombre de color como «orange».
En esta área se definen las variables.
El interés debe ascender al 7,46 % para que las 7500 unidades monetarias se conviertan en 10000.
Abra un documento de texto y diríjase a Herramientas ▸ Opciones ▸ LibreOffice Writer ▸ Cambios.
Los ajustes harán que la solución actual se descarte y se recalcule según sea necesario
Inserta un signo de concatenación con dos huecos. También puede escribir circ en el cuadro Órdenes.
Guardar y restaurar la geometría de las ventanas para cada documento (guarda la geometría en el documento)
Inserta una copia de la página actual después de esta.
Modos en los que la aplicación llamante puede abrir ubicaciones seleccionadas en la barra lateral
Esta función no permite ajustar la posición, la orientación ni las dimensiones de la marca de agua. La marca no se guarda en el documento original.
usar el registro PKA presente en una clave al recuperar claves
Define el tiempo en segundos que debe transcurrir para liberar una conexión.
Escriba el texto que desee que aparezca en la etiqueta. También se puede insertar un campo de base de datos.
Cada uno de los botones de documento abre un documento nuevo del tipo especificado.
Algunas partes de las fórmulas están siempre en negrita o itálica de forma predeterminada.
Introduce el contenido de una lista nueva en el cuadro Entradas.
Ignora los caracteres de posición al final de las palabras coreanas cuando busques en un diccionario.
Si se define y es distinto de cero, se redondea aproximándose a cero con número y significatividad negativos.
Especifique el número de puntos intermedios entre los puntos de cuadrícula del eje X.
Selecciona letra de anchura variable en HTML
Registro indizado inválido, se esperaba el registro X.
GEQO: número de iteraciones del algoritmo.
argumento de tipo erróneo para abs
No se manipula un STO_SH5_ISA32 inesperado en un símbolo local
demasiados argumentos de línea de órdenes
Seleccionar botones de herramientas visibles
El formato de muestra para las vistas de paquetes
Pegar efecto de trayecto vivo
Fuente/interfaz externa
Textura de pared de piedra para usar con colores no demasiado saturados
Seleccione la tabla o la consulta para la que se va a crear el informe.
Pulse en el icono Hiperenlace de la barra Estándar, en Documento nuevo.
Certificado
Litro
Guardar el documento
Para evitar accidentes y situaciones embarazosas con el correo-e, pedir confirmación antes de realizar las siguientes acciones marcadas:
Copiar resultados en
el argumento para el array de longitud variable es demasiado grande
Fórmula predeterminada, fecha/hora, mensaje de error
ldrd/strd requiere un par de registros par:impar
Siempre (de ubicaciones de confianza)
Formato numérico: porcentaje
número desigual de entradas en expresiones de registro
Generar todos los mapas de bits como en versiones anteriores de Inkscape. Opciones disponibles:
Macros y diálogos de la aplicación
Referencia de celda: introduzca una referencia de celda de la variable
Indique el tema del documento. Los temas pueden utilizarse para agrupar documentos de contenido similar.
OFFSET no debe ser negativo
Combinaciones de teclas en presentaciones
Si el nombre de la tabla o del campo no existe en ninguna base de datos y tampoco se han colocado comillas, no se inserta nada.
No se pudo limpiar la lista
Uso sin sentido del primer operando en cero de .prologue
Tiempo de imagen logo individual en ms
=DISTR.CHICUAD(3; 2; 1) equivale a 0.7768698399, la distribución acumulada de chi-cuadrado con 2 grados de libertad, en el valor x = 3.
Tamaño de fuente en píxels
Activa la relajación del ensamblador y el enlazador. Activado por defecto a -Os.
Posición (opcional) es la posición en el texto donde se iniciará la búsqueda.
Línea superpuesta (tachado)
Hueco vertical entre teselas (usa la unidad seleccionada)
Rd y Rm deben ser diferentes en mla
Referencia inesperada a un símbolo en una sección que no es de código
Índices del usuario
No hay candidato para rebasar entre las refs que has bajado con fetch.
Especifica el color para resaltar las supresiones en un documento.
Enumera las diapositivas y los objetos que se pueden seleccionar.
Caso contrario, por favor usa 'git rebase --skip'
Mediante una doble pulsación puede incluir en la ventana de fórmulas una función de la ventana de selección.
El dinero entrante a las cuentas seleccionadas viene de
los datos COMMON thread-local no están implementados
no se puede arreglar el commit raíz
Los diálogos de Basic no pueden guardarse en un archivo de texto.
Rastrear los precedentes
No se encontró el grupo «mail». Se creará el fichero del buzón de correo del usuario con el modo 0600.
Poner el cursor en la parte inferior de las respuestas
Puede aplicar a estos botones texto e imágenes.
No se puede crear la llamada de regreso
El sistema de ficheros ya es de 64 bits.
TRUE si la operación de impresión soporta impresión de la selección.
las tabulaciones están demasiado separadas
una restricción declarada INITIALLY DEFERRED debe ser DEFERRABLE
no se pudo cargar patrones de sparse-checkout existentes
Se encontró una etiqueta anónima y las etiquetas no se pueden crear.
ignorar carrier-return al final de la línea
X es el valor de entrada para la serie de potencias.
Divide el trayecto en segmentos rectos de un a longitud dada (en unidades de usuario)
Cuando al buscar con Nautilus se cambiará al tipo de vista en esta opción de configuración.
Modificar las propiedades de un tabulador
Elija el menú Forma ▸ Consolidar texto.
Cambia la disposición de los datos del gráfico.
Introduzca una cadena de búsqueda en la caja de texto.
Diagrama Visio de Microsoft (*.vsd)
Relojes en las pistas
Elimina el formato numérico seleccionado. Los cambios surtirán efecto tras reiniciar LibreOffice.
Devuelve un valor numérico que especifica la interfaz gráfica de usuario.
Permite especificar un metadato de «descripción» para una entrada.
cuenta de desplazamiento a la derecha >= anchura del tipo
el valor de comienzo del sufijo numérico es demasiado grande para la longitud del sufijo
Shift-JIS (japonés)
Periodos. Es el número de pagos de interés por año.
Cuentas y fondos de reservas
no se puede fusionar sin una versión actual
Accede directamente a las funciones de hardware del adaptador de gráficos para mejorar la visualización en pantalla.
El texto insertado al responder a un mensaje (publicando por encima), diciendo que el a continuación está el mensaje reenviado
Pies de página
Esta extensión crea una gráfica paramétrica de una función vectorial valorada (en variable t).
la configuración relativa incluye condicionales que deben venir de archivos
Al descargar
constante no admitida en reubicación
Valor es el valor, número o valor booleano o de error que se va a someter a prueba.
Seleccione la macro que debe ejecutarse cuando se pulsa en el campo.
Error de comunicación al enviar
Haga clic en "Enviar" para remitir el informe a Audacity. La información que se recopila es anónima.
Si se especifica un atributo de parámetro con un valor de 1, se aplican los valores de retorno siguientes:
probar si el filesystem soporta caché no rastreado
un URI para descargar bundles antes de hacer fetch del remoto de origen
Cambiar el origen de datos
Hora de comienzo de la jornada laboral los sábados
Devuelve VERDADERO si el valor es un valor lógico.
Permite introducir manualmente el ángulo de orientación.
Establece varios valores para un bloque.
Impresora donde imprimir la tarea
Establece prologueend a true
Navegador de formularios
Función CallByName
Guardado y carga de código fuente Basic
Representa el balance grueso (ventas gruesas - compras gruesas)
Texto: La cadena que sustituirá a la expresión de cadena (instrucción Mid).
Incluir columna(s)/fila(s) de límite que contengan solo comentarios
Licencia Apache, versión 2.0
Salvamento es el valor de un activo al final de la depreciación.
Forzar la tasa de bits VBR máxima
mal HEAD - Necesito un HEAD
Posición de la vista previa horizontal de la vista mensual
Formatea las filas seleccionadas.
puntero o resultado asignable
el CPU objetivo no admite accesos sin alinear
Genere códigos lineales y matriciales para cualquier texto o URL.
el índice de registro intrínseco está fuera de rango
No borrar ficheros de bitácora/respaldo.
Esta es una opción de fecha relativa.
Versión para contornos del sombreador suave
Menú nuevo
El contenido de este formulario se ha modificado. ¿Quiere guardar sus cambios?
La cuenta para la búsqueda de transacciones.
Documentos abiertos
Centrar en el eje horizontal
Si es cierto, las columnas tienen todas la misma altura
Devuelve la cotangente del ángulo dado (en radianes).
Elimina la entrada seleccionada de la lista. La eliminación es inmediata y no se muestra ninguna confirmación.
Conmuta la visibilidad de los puntos de la retícula y las guías para ayudar a desplazar objetos y posicionarlos con precisión en la hoja actual.
La probabilidad mínima de alcanzar un bloque fuente para la planificación especulativa entre bloques.
Dirección alternativa del indicador de ordenamiento
Efecto de espacialización virtual de auriculares
Píxeles de espacio en blanco encima de los párrafos
Compila con longs y punteros de 64 bit.
Función HasUnoInterfaces
Edición de hiperenlaces
Operación de ordenación primaria.
Calcula un porcentaje
medida en bruto de la velocidad de la CPU
Biblioteca de depuración que se utilizará en lugar de phobos.
Argumentos de programación
el UID en ejecución no coincide con el UID del usuario que se está alterando; cambio de el intérprete de órdenes denegado
Alternar vista de patrón
Admite funciones internas y generación de código MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2, AVX, AVX2, AVX512F y AVX512PF.
Aparece el cuadro de diálogo Archivos remotos.
Intervalo es el área que contiene los datos que se van a evaluar.
Establece el límite de memoria que cada proceso «autovacuum worker» usará.
No se pudo crear la carpeta, debido a que ya existe un archivo con el mismo nombre.
Número incorrecto de operandos dados
En modo batería
Hibernar el sistema mientras todavía hay usuarios conectados
Procesa un fichero de respuesta OFX/QFX
Hora de finalización de la jornada laboral los domingos
Pagina los datos alineados, crea texto de sólo lectura
nombre de directorio para el nuevo clúster es demasiado largo
Permitir celdas en blanco
Buscando packfiles referidos
Active esta opción para hacer que la impresora no cree copias intercaladas, sino que, en su lugar, cree una tarea de impresión individual para cada copia.
Escalar cada uno de los objetos seleccionados para igualar la altura del objeto copiado
no se puede al mismo tiempo resumir y mostrar todas las entradas
Función CDbl
Campo giratorio Formato propio
¿Quiere eliminar los recursos de los idiomas seleccionados?
Mostrar botones de cierre en pestañas
Paleta personalizada
↑ o ↓: desplaza la tabla una fila hacia arriba o hacia abajo
Ajusta automáticamente la anchura de columna en función del tipo de letra actual.
Procedimiento
La próxima vez que abra un documento de texto nuevo, este se basará en esta nueva plantilla predeterminada.
se ha interceptado una asignación strong-cast
no se tendrá en cuenta --no-newline con varios argumentos
El número de parámetros de inicialización no es válido.
Define la cantidad de información a almacenar en la biblioteca pública. Cada individuo almacena conocimiento allí y pide información.
dos o más tipos de datos en los especificadores de la declaración
Elija un estilo de flecha predefinido del cuadro de lista.
Usar la zona horaria del sistema en lugar de la zona horaria seleccionada en Evolution
Color final
Combina los objetos seleccionados.
esperando el procesado de disparadores por otro paquete
Defina las propiedades de un motivo de trama o guarde un motivo nuevo.
la cadena de carga es demasiado larga
Dirección del texto para la que este atajo está activo
Vaya a Formato ▸ Filas ▸ Ocultar.
no se permiten operaciones «grouping» en condiciones WHEN de un disparador
Genera una nota de ID de construcción
Las instrucciones y funciones siguientes generan números aleatorios.
Vaya a Recargar… en el menú contextual de cualquier celda en el gráfico.
t crítico unilateral
No hay nada seleccionado, pero el cursor se encuentra en un fragmento de texto
no se admiten funciones anidadas para registros reducidos
1 %% corresponde a 0,0001
No añadir espacio entre párrafos del mismo estilo
Indica si el usuario puede desprender las barras de herramientas y moverlas a otro lado.
Lista los colores de origen y los de reemplazo.
Seleccione si guardar en LibreOffice o en el documento actual.
Cierra el cuadro de diálogo y descarta todos los cambios no guardados.
Dónde almacenar el archivo gschemas.compiled
Carpeta usada para almacenar los archivos temporales de cambio de tiempo.
Modificar filas y columnas con el teclado
los tipos de dato izquierdo y derecho asociados a las funciones de interpretación de opciones de la clase de operadores deben coincidir
se descartan los atributos de tipo después de que el tipo ya se definió
La característica 'metadata_csum_seed' solo se puede activar en sistemas de ficheros que tengan activada la característica meta_csum.
se sugiere no usar #elif en C tradicional
No escribir ningún nombre de cuenta Precedente.
Teclee un acelerador nuevo
Marca
Abra el documento del que vaya a copiar la imagen.
Inserta celdas (como el menú Insertar ▸ Celdas)
Escriba el nombre del diccionario. Para mostrar el diccionario nuevo en el cuadro de lista Diccionarios del usuario, pulse en Aceptar.
Orientación de la línea y etiquetas
no se ha podido crear la nueva sección
Devuelve el coseno hiperbólico de Número.
Representar la diferencia como presupuesto - efectiva.
Calcula la prueba T.
La cadena de filtros es incompatible con --flush-timeout
cc: una lista de direcciones de correo electrónico separadas por comas (los destinatarios «con copia»).
Gráficos XML Flash (*.fxg)
ON COMMIT sólo puede ser usado en tablas temporales
Domingo únicamente
Utilizar espacio dinámico
Alinear la selección horizontalmente al borde derecho.
Utiliza el modo de renderizado normal
Añadir/importar
Para iniciar un pase de diapositivas de Impress, debe permitir que el dispositivo móvil controle Impress. Siga estos pasos:
Montar un volumen de sistema TCRYPT
Crea espacios en intersecciones, como en los nudos celtas
Abre un submenú para alinear texto y objetos.
% de fila
Convertir solo si no hay ambigüedad
No hay selección para reorganizar.
Suma los cuadrados de la varianza entre los valores correspondientes en dos matrices.
Ligaduras predeterminadas. Activo por defecto. Tablas OpenType: 'liga', 'clig'
Botón de selección de ruta en distintos asistentes.
No se ha podido cambiar al modo de diario rápido
Permite definir las propiedades del enlace seleccionado.
Establecer el atributo de un archivo
Mejorar y redibujar bordes alrededor de áreas posterizadas
Iconos
Devuelve la mediana de una muestra dada.
no se pudo aceptar un contexto de seguridad GSSAPI
Establecer este perfil para todos los usuarios de este equipo
Actualizar la lista de listas de notas de la cuenta
NPer es el número total de períodos durante los cuales la anualidad se paga.
Eliminar información personal al guardar
DIAS360
Elija Formato ▸ Carácter ▸ pestaña Disposición asiática
En la barra de herramientas Dibujo, pulse
Muestra la sección .debugtypes al usar la información de depuración DWARF v4.
Los parámetros no se corresponden con el procedimiento.
Si selecciona un paquetes, en este espacio aparecerá una explicación de por qué se va a instalar o eliminar.
Activar macros
=T(12345) devuelve una cadena vacía.
Disposición asiática
Salida de aceleración de vídeo K
mostrar solo los trailers
No incluir datos de recursos en el archivo C; en su lugar, asumir que está enlazado de manera externa
La característica de montaje múltiple no se puede desactivar si el sistema de ficheros es de solo lectura.
Indica si debe mostrar el campo «Categorías» en el editor de eventos/reuniones
'opción' sin una directiva correspondiente 'ok/error'
Definir la consistencia de accesos a datos de estadísticas.
Elimina la tabla actual.
Los paréntesis sólo se podrán utilizar con la correspondiente pareja. Los paréntesis tienen los siguientes puntos en común:
Utiliza el formato numérico local, p.ej. "1.0" en lugar de "1,0" con el idioma inglés
No se pueden alterar roles reservados.
Mover original: clones y desvíos enlazados
función nmi no válida para atributo reset
Indica si debe usar el editor de marcado para la descripción en el editor
Párr. con sangría autom. de 1.ᵉʳ renglón
Si se bloquea, se cambia tanto el alto como el ancho en la misma proporción
Máximo tamaño, en unidades de almacenamiento, de un agregado para tenerlo en cuenta en escalarización cuando se compila para velocidad.
Usuario
Caducó el socket de datos
La anchura de la distribución
Título y contenido sobre contenido
Se requiere un registro estatal o un nombre de bit estatal
no se pudo activar mantenimiento
Páginas (en inglés) del W3C sobre el lenguaje de marcado ampliable (XML)
Tarjetas de presentación
Avisa sobre líneas de código truncadas.
caracteres inesperados continuando instrucción
Seleccione la categoría de la leyenda que quiera usar para las entradas del índice.
Introduzca un nombre de capa.
No se ha podido poner el valor en el nodo de sección
La Barra de macros de IDE incluye varios iconos para editar y comprobar programas.
muestra la ruta manpath global completa
Esta función determina la hora exacta de creación o de modificación más reciente de un archivo, devuelta en el formato "MM.DD.AAAA HH.MM.SS".
Avisa si la comparación es siempre verdadera o siempre falsa debido al rango limitado del tipo de datos.
error interno: symidx fuera del rango de la tabla fptr
cadena estática no válida en la llamada gimple
La ventana de diseño XForms se abre en un documento vacío de Writer.
Usa coma flotante de hardware.
Sector de círculo sin relleno
la función de hash 1 debe tener un argumento
Devuelve un número complejo elevado a una potencia real
Elija una columna en la ventana de previsualización y seleccione el tipo de datos a los que aplicar los datos importados.
Copiar las tareas seleccionadas al portapapeles
Lista de tipos de contenido (x-content/*) en la que se lanzará la aplicación preferida
los bucles colapsados no están perfectamente anidados
Ubique el archivo de secuencia de órdenes con el que quiere crear el enlace y, a continuación, pulse en Insertar.
El patrón de filtros con el que filtrar el examinador de archivos. Este filtro funciona por encima del filtermode.
Abrir desde portapapeles
Crea un documento aparte por cada registro de datos.
falta ')' para completar la respuesta
Para colocar una comilla doble literal dentro de una cadena dentro de una fórmula, se pueden utilizar dos métodos:
Este método es útil cuando se necesita dar el foco a un documento que está minimizado u oculto.
Seleccionar en porcentaje la altura de la zona mezclada (caso de pared 2x2)
Características del sistema de ficheros no disponibles con la revisión 0 de los sistemas de ficheros
Muestra espacios vacíos en cualquier saldo a cero que se debería mostrar.
Carácter no representable en entrada de conversión
Vídeo SD / NTSC
El relfrozenxid o el relminmxid de la tabla es demasiado antiguo.
Salida de vídeo OpenGL para OpenGL
El número máximo de insns en un bucle pelado.
Establecer límite derecho de selección
En BASIC, en lugar de utilizar el método getByName, utilice Sheets(sheetIndex) como se indica a continuación:
Expresión: Cualquier expresión que desee negar.
El valor del atributo de ser no nulo
invalida listado registrador origen
Error: «goto» necesita un argumento mayor que cero.
¿Crear un contorno nuevo?
Acumular la escala para cada fila
Cifras nativas
sólo los operadores binarios pueden tener conmutadores
Se ha detectado una etiqueta de disco SGI con suma de comprobación incorrecta.
aplicar un parche sin tocar el árbol de trabajo
Ocultar tareas terminadas tras
No usa las instrucciones de campos de bit.
Ajusta el código para el procesador dado.
LETRA.DE.TES.PRECIO
Imprimir consultas
Hay un controlador no registrado para el URL #connurl#.
Seleccione el tipo de relleno que aplicar.
Utilizar números redondeados
Número octal (como texto)
Texto: texto que representa un número romano.
Todos los campos
Establece la cantidad de veces que se reproducirá la animación. Si quiere que la animación se reproduzca ininterrumpidamente, elija Máx.
Dibujar un paralelogramo alrededor de la elipse
no se permiten operaciones «grouping» en expresiones de transformación
Introducción de datos o edición de formulario
Importación y exportación de HTML
Realiza plegamiento de código idéntico en funciones.
¿Quiere quitar los desgloses desde esta transacción?
Fijar un margen de exportación adicional
Suavizar transición
Ignora solo filas ocultas, SUBTOTALES anidados y funciones AGREGAR
se esperaba fin de línea
Cabecera extendida errónea: falta una nueva línea
Oprima la combinación de teclas Mayús + F1 para activar las descripciones ampliadas por una ocasión.
Variable independiente de la serie de potencias.
Insertar portadas nuevas
Para buscar fórmulas o valores
La ventana se divide en dos áreas y los resultados de la confirmación se muestran en la zona inferior.
Si no se establece, o es “stdout”, el registro se hace en la salida estándar en lugar de en un archivo.
no se puede obtener la lista de tareas
Vaya a Datos ▸ Estadísticas ▸ Correlación
Conector lineal con flecha al comienzo
las calificaciones de eventos no están implementadas para las reglas en SELECT
Define la configuración general de los documentos de hoja de cálculo.
Longitud de salto corto, en segundos.
conmuta el indicador de sólo lectura
Escriba el nombre de la persona que desea utilizar como contacto secundario.
Añade un píxel a la izquierda del vídeo
Invierte los valores de alineación horizontal en las páginas pares.
El contador de escritura del tiempo de vida no concuerda.
Este sistema no admite bloques de memoria
Ctrl + F9
El segundo operando de .save.g debe ser un registro general
Esta transacción ya está siendo editada en otro registro. Primero termine la edición allí.
Instrucción LSet
Especifica la cantidad de espacio que debe haber entre las columnas.
Información de la dirección
es la probabilidad asociada con la distribución t de Student dos colas.
se asigna a una matriz desde una lista de inicializador
Entrada multirrenglón
Conectar a un dongle para usar el Bluetooth.
Precio al cierre
el abi iwmmxt requiere un cpu capaz de iwmmxt
No descarta comentarios en expansiones de macro.
argumento inesperado para el operador binario condicional
En el cuadro Seleccionar base de datos, pulse dos veces sobre una libreta de direcciones, a continuación pulse "Nombre" y después Insertar. Haga lo mismo con "Apellidos".
Convertir el grupo en una capa
La hoja de balance puede ser representada con 1 o 2 columnas.
Pulse con el botón secundario del ratón y elija Propiedades del formulario.
error de escritura en standard output
instrucción de predicado en una secuencia condicional
Vacía la lista de archivos abiertos recientemente. Esta acción no se puede deshacer.
El nombre del estilo que se aplicará.
excluye los directorios que contengan FICHERO
Este icono inserta una flecha hacia la derecha. Orden para el cuadro Órdenes: rightarrow
no se han podido obtener grupos suplementarios
La lista de archivos está solo disponible para paquetes instalados.
Borrador
Establecer reloj del sistema en formato de hora local/tiempo UTC
Usa el juego completo de registros para asignación de registros.
Muestra u oculta las opciones adicionales para la definición de la tabla dinámica.
Calcula la duración, en años, de un valor de interés fijo.
Utilizar colores RGB
Lista de expresiones regulares
intentando iniciae el servidor de todas maneras
Inserta una entrada de botón de opción en el menú emergente. Devuelve un valor entero que identifica el elemento insertado.
El sintonizador digital seleccionado no soporta los parámetros especificados. Compruebe las preferencias.
Vaya a Insertar/editar ▸ Sección ▸ pestaña Fondo
Formato ▸ Estilos de formato automático
Indica si se debe rellenar el área asignada de las pestañas hijas
Próximo paso: Asistente para combinar correspondencia: ajuste de disposición
Imprime comparaciones jerárquicas cuando los tipos de plantilla no coinciden.
registro destino debe ser palabra completa
fichero migrado con datos
Importador de CSV y Tab de contactos de Evolution
Filtrar las fechas de búsqueda usando bien la fecha de último uso o de última modificación
Genera código para el modo supervisor (predeterminado).
Coloca flechas de rastreo hacia todas las celdas precedentes que provoquen la aparición de un valor de error en la celda seleccionada.
no se ha especificado una función manejadora
Permite definir opciones para varias funcionalidades, tales como los marcadores, los comentarios y la disposición de las páginas.
salida no es un fichero ELF.
Oculta las opciones adicionales.
Sugerencia: utilice un núcleo de Linux >= 3.18 para disponer de una mejor estabilidad de los metadatos y de suma de comprobación del fichero de transacciones.
Omite el marco de referencia para las funciones hojas.
Reinicie LibreOffice para que el entorno de ejecución de Java seleccionado funcione adecuadamente.
distingue mayúsculas y minúsculas: solo para comparaciones de cadenas (predeterminado =Falso
Restablecer diseño predeterminado para todos los cargos del proveedor y las anotaciones crediticias devueltas y actualizar la página actual de acorde a ello
Compartir música, fotos y vídeos mediante la red.
Especifica el color de las flechas de la barra de desplazamiento.
Función Green
Genera un cargo declarable
Asistente para elementos de grupo: Campo de base de datos
Admite funciones internas y generación de código MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2, AVX, AVX2 y AVX512F.
mostrar la salida de status gpg en formato raw
Rotar por una lista predefinida de proporciones fuente.
Cortar las tareas seleccionadas al portapapeles
reemplazar todas las variables coincidentes: nombre valor [valor-patrón]
Respalda el asiento efectivo
Por favor, elija la moneda a utilizar para cuentas nuevas.
250 Error DDE
Espere mientras se reconstruye la caché de fuentes. Debería realizarse en menos de un minuto.
Tiempo de descanso de vacuum en milisegundos, para autovacuum.
Dibujar trazos caligráficos o pinceladas
Introduzca un nombre para el estilo de flecha nuevo:
Introduzca usuario y contraseña
Deshacer crear desde plantilla
Actualizar el color del marcador cuando cambia el color del objeto
Módulo de salida de audio DeckLink
Siga manteniendo presionada Ctrl y arrastre una selección sobre cada uno de los párrafos numerados de las listas que han de combinarse.
Estos son comandos comunes de Git usados en varias situaciones:
Los nombres de los últimos cinco tipos de letra seleccionados aparecen en la parte superior de la lista del cuadro combinado.
Abre la ventana Carácteres especiales donde puede seleccionar el carácter a utilizar como separador.
no se puede comparar '-' con un directorio
atención: la opción -d está obsoleta; por favor utilice -depth en su lugar, ya que se trata de una característica que cumple con POSIX.
Proporciona una turbulencia puntillista sensible a transparencia HSL
Abre la ventana Estilos.
Cálculo del valor presente neto de los cinco pagos antes mencionados para una tasa interna de retorno nacional del 6 %.
Este módulo envía la emisión transcodificada a una red a través de UDP.
Desplaza el formulario actual a la fila de inserción.
Los máximos de trozos TOAST antiguo y nuevo no son válidos o no coinciden
Copia el objeto seleccionado en el portapapeles.
Provea dos tipos de argumento para un operador.
Oprima Intro.
Coons: sin suavizado. Bicúbica: suavizado a través de los límites del parche.
Cilindro
Ángulo de las LP en la dirección Y
Herramientas ▸ Opciones ▸ LibreOffice ▸ Colores de la aplicación
demasiadas preferencias de compresión
Límites de texto
No se puede ejecutar la consulta. No se admite la función.
La contraseña no es correcta. El documento no se puede modificar.
r12 no permitido aquí
Puede servirse de la barra de herramientas Buscar para localizar texto con rapidez en el contenido de los documentos de LibreOffice.
Genera código de 32 bits ARCompact para el procesador ARC601.
solicitar transacción atómica en el lado remoto
Establece el bit PPCEMB en las banderas del encabezado ELF.
Especifica si se mostrará u ocultará la ventana Estilos, desde la cual es posible asignar y organizar estilos de formato.
Modificar diseño de informe
Pulse un nivel de índice en la lista Niveles.
valor externo «cidr» no válido
En documentos de Calc
Obtiene información extra y arte para los elementos de la lista de reproducción
Devuelve la cadena de entrada en orden invertido.
Aislar vocales e invertir
Restablecer desvío de línea
Ha dicho que borre la subcuenta y ésta contiene transacciones. ¿Qué quiere hacer con esas transacciones?
Modifique las propiedades de la imagen seleccionada y, a continuación, pulse en Aceptar.
Vaya a Formato ▸ Cuadro de texto y forma ▸ Línea (Writer).
Devuelve la cantidad de celdas en un intervalo que cumplen determinados criterios.
Haga clic y arrastre para mover el límite izquierdo de la selección.
Beatriz
Enumera el programa del paquete ofimático y los documentos abiertos.
No se puede cambiar «clientencoding» ahora.
Los valores posibles son: «string», «numeric», «boolean», «key» y «all».
fallo al obtener los bits de seguridad del proceso
No se puede establecer el directorio 'Import'
se listan los miembros en el mismo orden que los ficheros del archivo
Necesita un reinicio. Activar esta opción impide el uso de controladores gráficos.
Información
Coloque el cursor en otra celda e introduzca lo siguiente:
Una matriz o referencia a celdas cuyo contenido corresponde a los pagos.
Month: valor de 1 a 12, de enero a diciembre, cuyo nombre de mes traducido se debe devolver.
no es posible escribir archivo newindex
Convierte el texto en minúsculas.
combinar patrones especificados con -e
la columna incluida no permite una clase de operadores
Realizar formateo de hora y fecha ISO C en la ruta de archivo
Formatea automáticamente el archivo según las opciones establecidas en Herramientas ▸ Corrección automática ▸ Opciones de corrección automática.
Tamaño original
En la barra de herramientas Insertar, pulse
Pulse en el estilo de viñeta que desee usar.
Todo el mundo podrá acceder a este audio.
El archivo debe cerrarse con el método CloseFile después de que todas las operaciones de lectura o escritura se hayan ejecutado:
el índice debe ser entero
Proporción de imagen de salida
Intercambiar visibilidad de parámetro de trayecto
Fecha de finalización del cálculo.
cancelando la sentencia debido a un conflicto con la recuperación
Tamaño simbólico que usar para el icono de inventario, conjunto de iconos o icono nombrado
Seleccione Formato ▸ Eje y elija el eje (o ejes) que desee editar. Aparecerá un cuadro de diálogo.
Borrar elementos esparcidos de la selección
Un cuadro de diálogo permite dividir la celda en dos o más celdas, horizontal o verticalmente.
Trabajar con secuencias en Python en LibreOffice
Tipo de cifrado no soportado para multipart/encrypted
Cerrar esta ventana tras aplicarse los cambios con éxito
Escriba el nombre de la hoja
Número de fotogramas considerados para suavizado (0 a 30)
no se puede especificar el tablespace por omisión para las relaciones particionadas
Devuelve VERDADERO si un número impar de argumentos se valora como VERDADERO.
Número mágico incorrecto --- RESERVADO16
Eliminar todo el formato directo en una hoja de cálculo de LibreOffice Calc
Seleccionar idioma para todo el documento
Especifica el lugar de la reunión.
… el campo no está vacío, es decir, que contiene datos.
Borra la transacción seleccionada
los bytes resultantes para el rango no son representables.
Si se marca este campo, al exportar a HTML se muestra un aviso de que se perderán las macros de Basic.
Imprimir archivo directamente
Devuelve el objeto UNO que contiene todas las bibliotecas compartidas de diálogos.
Eliminar permanentemente todos los correos eliminados de todas las carpetas
mostrar la configuración activa establecida
No se pudo guardar el adjunto
¿Cuándo se deben utilizar las fórmulas matriciales?
Vaya a Editar ▸ Control de cambios ▸ Gestionar ▸ pestaña Lista.
Hangul como texto ágata debajo
Cascada de propiedades seleccionadas para la cuenta
Almacena si la barra de tareas pendientes debe mostrar también las tareas sin fecha de vencimiento.
En esta área se definen los objetos que se van a imprimir.
pgctl no pudo iniciar el servidor de destino, o la conexión falló
El objeto se selecciona.
Edita o crea estilos de línea de trazos o de puntos.
Fija la anchura de la línea en píxeles.
se descarta la línea vacía 'msgstr'
Cambia el nombre del informe seleccionado.
Texto es una expresión de hora válida y debe ir entre comillas.
no se pudo eliminar el árbol de trabajo 'git notes merge'
se mueve el marco
Admite funciones internas y generación de código PCLMUL.
¿Para quiénes quiere instalar la extensión?
Vaya a Insertar ▸ Campo ▸ Asunto
no se pudo añadir alistamiento
URI del servicio web
Montar dispositivos de almacenamiento extraíbles como sólo lectura
Mensaje emergente junto con el icono.
Paquetes instalados manualmente (no como dependencia de otros)
Texto: Cualquier expresión de cadena de la que se desee devolver los caracteres que se encuentren más a la derecha.
Para ocultar las líneas de cuadrícula:
Para cambiar las propiedades de las líneas
Especifique un evento que se ejecutará cuando pulse en el hiperenlace.
La compatibilidad con FFmpeg no ha compilado
generar diffstat con un ancho dado
Especifica los niveles de títulos o de capítulos en los que desea que se inicie la numeración.
Posición en documento
Opciones de depuración GTK+ que quitar
delimitador: Un solo carácter, por lo general, una coma, un punto y coma o un carácter TABULADOR (Predeterminado = ",").
Invierte el audio seleccionado
Por:
Evita ciertos errores de R4000.
Recorte, añade sombra interior y coloriza algunas partes de una imagen
El texto que mostrar como demostración de la tipografía seleccionada
Guarda todos los cambios y cierra el cuadro de diálogo.
Usa instrucciones de FP quad de hardware.
El puerto de la máquina definida por «/system/proxy/https/host» que hace de proxy.
Devuelve la asimetría de una distribución utilizando la población de una variable aleatoria.
=PROMEDIO.SI(B2:B6;">"&K.ESIMO.MENOR(B2:B6;1))
Iniciar/detener filtro de acceso de grabación
Primer día del mes efectivo.
Determina cuántas secciones de espectro existirán.
Mostrar u ocultar la paleta de comandos en el lienzo
Combinaciones de teclas en LibreOffice Impress
Configura la información de atributo de un archivo especificado.
El largo del mensaje no coincide con el largo de entrada.
Ambos --no-clobber y --convert-file-only fueron especificados, sólo se usará --convert-file-only.
Próximo consejo a mostrar.
Devuelve el k-ésimo valor menor de una muestra.
No se permiten símbolos que no sean constantes
escribir un índice de bitmap
el commit base no debe estar en la lista de revisión
Seleccione el tipo de Exportación requerido y el separador que será utilizado.
copiar una rama y su reflog
Reintentar
Aplicar un color de fondo a una hoja de cálculo de LibreOffice Calc
Contiene órdenes para manipular y mostrar ventanas de documentos.
Mensaje no disponible en modo desconectado.
Abra el menú contextual de un objeto seleccionado y elija Convertir ▸ En 3D
no se permite mezclar diferentes símbolos de tipos en los mismos grupos comdat
Expresión vinculante
Advierte de constructores heredados de C++11 cuando la base tiene constructor variádico.
Ajustar automáticamente el tono de la imagen.
ALEATORIO.NV
Para operaciones de corte: elimina las líneas (no contornos) interiores del trayecto de corte para evitar puntos invisibles extra
el clúster debe estar apagado
Usa los registros ABI reservados.
Invertir selección; opciones: 'all', 'layers', 'no-layers', 'groups', 'no-groups' (predet.)
Por palabra: confronta los documentos subdividiendo el contenido palabra por palabra.
El «checksum» del bloque de directorio no cuadra con el bloque de directorio
Para agregar una zona activa seleccionable a una imagen
Seleccione el directorio del certificado Network Security Services que se utilizará en las firmas digitales.
Marca los registros MAC como sobreescritos por llamada.
La sintaxis de lista no es válida.
no se puede recolectar tuplas de transición desde tablas foráneas hijas
Muestra la antigüedad del cliente frente a todos los clientes
id del objeto commit padre
Especifica si se imprimirá una línea Notas.
Mueve el cursor al error siguiente (a la derecha).
Rellena el objeto con el degradado seleccionado en esta sección.
Conexión directa a Internet
Especifique un nuevo identificador entero para esta transmisión elemental.
Con esta opción, los objetos transparentes nunca se imprimen.
Muestra el Color de Cuenta como Fondo del Nombre de Cuenta.
=COT(PI()/4) devuelve 1, la cotangente de PI/4 radianes.
Se ignora, por compatibilidad con GTestDbus
Texto renderizado cuando una celda editable está vacía
Véanse también: PRONOSTICO.ETS.MULT, PRONOSTICO.ETS.ESTADISTICA.SUM, PRONOSTICO.ETS.ESTADISTICA.MULT, PRONOSTICO.ETS.PI.SUM, PRONOSTICO.ETS.PI.MULT, PRONOSTICO.ETS.ESTACIONALIDAD, PRONOSTICO, PRONOSTICO.LINEAL
Cantidad máxima de procesos ayudantes paralelos por operación de mantención.
No se pudo interpretar algunos patrón de comparación.
Operador «-»
Se pasan por alto las celdas vacías y el texto de las celdas.
el valor BY de un ciclo FOR no puede ser null
Marcar para hacer el objeto insensible (no se puedo seleccionar con el ratón)
Muestra la codificación de caracteres del servidor (base de datos).
Qúe tipos de archivos se buscarán
Pulse F2 o haga doble clic para editar los contenidos de la celda.
Consulta la altura de los objetos seleccionados
el tamaño de paso no puede ser NaN
Especifica la prioridad de planificación para despachar insns restringidos por ranuras.
Varios objetos seleccionados tienen el mismo trazo
Distancia hor. objeto 2
Imprimir todos los contactos mostrados
Cambiar uso de mayúsculas
Enumera los vínculos del XForm.
Pragma lleva una cadena literal entre paréntesis
Las celdas se rellenan con números ascendentes.
Usa la instrucción compare bytes de PowerPC V2.05.
GBK/GB-2312-80 (chino simplificado)
Para dividir las palabras del texto de forma automática en varios párrafos
Campo gráfico
suprimir mensajes de error para refs no simbólicos (desacoplados)
Se mueven de acuerdo con la transformación
Elimina un paquete esencial.
Buscar la coincidencia anterior de la frase
Comprueba si un directorio o un fichero es un punto de montaje.
Creando ahora certificado auto firmado.
permitir rebase de commits con mensajes vacíos
No pagina los datos alineados, no crea texto de sólo lectura
Ver ▸ Salto de página
VA
Consultas
, = Número con separador de miles
Pre-comprobar transacciones punteadas cuando cree un diálogo de conciliación.
no se ha podido abrir el directorio
ESTIMACION.LINEAL
No se puede dar descripción al HEAD desacoplado
Pulse para acceder a archivos .csv.
Descripción de una transacción
no se puede mover objetos hacia o desde el esquema TOAST
Opciones de eliminación
Operación no válida para un proceso en segundo plano
Bajo (no recomendable). Se ejecutarán siempre todas las macros, sin confirmación. Use esta opción solo si está garantizado que todos los documentos que abrirá son seguros.
Una forma rápida de copiar de una fuente de datos a un archivo de texto o una hoja de cálculo, o de crear formularios basados en una fuente de datos, es con la función de arrastrar y colocar.
Escriba el número de líneas que se mostrarán en un control de lista. En el caso de los cuadros combinados, este valor funcionará solo si se activa la opción desplegable.
Define la anchura optima de la columna para mostrar todo su contenido.El espacio adicional para el ancho óptimo de la columna está preestablecido en 2 mm.
Mientras está diseñando el formulario, pulse el icono Cuadro de grupo en la barra de herramientas y utilice el ratón para crear un marco - Página 4 del asistente. Debe haber una conexión con una base de datos.
Si lo desea, puede anular el tipo de letra sustituto predeterminado utilizado por el sistema operativo cuando identifica en un documento un tipo de letra que no está disponible.
Defina aquí si desea conservar la disposición de los elementos de dibujo aunque el formato del papel cambie.
Define el número de iteraciones que debe tomar el algoritmo. En cada iteración, todos los individuos hacen una conjetura sobre la mejor solución y comparten sus conocimientos.
Especifique los estilos de formato y la disposición del estilo de página actual, incluidos los márgenes, las cabeceras y los pies y el fondo de las páginas.
Forzar la posición del logo en el vídeo (0=centro, 1=izquierda, 2=derecha, 4=arriba, 8=abajo, también pueden usarse combinaciones de estos valores, ej. 6 = arriba-izq).
Al firmar un espacio de firma, LibreOffice incluye en este el nombre de la persona firmante, añade información sobre la entidad emisora del certificado digital y, opcionalmente, inserta la fecha de firma.
Ahora, el filtro HTML utiliza específicamente estas interfaces de oyente y nombres de método, de forma que se puede importar y exportar acciones a voluntad. Puede registrar una acción de foco a través de
Para saber más sobre cómo crear y ejecutar secuencias escritas en Python mediante la biblioteca ScriptForge, lea la página de la Ayuda Crear secuencias de órdenes Python con ScriptForge.
Normalmente el empaquetador se sincronizaría con el siguiente fotograma completo. Esta marca ordena al empaquetador a sincronizar con el primer Intra Fotograma hallado.
Las temperaturas inferiores a cero son azules, las comprendidas entre 0 y 30 °C son negras y las superiores a 30 °C son rojas.
Este diálogo permite agregar carpetas y archivos de almacenamiento a la ruta de clases Java. Estas rutas son válidas para cualquier JRE que inicie.
Si selecciona una serie geométrica, el incremento que especifique se multiplicará por cada número consecutivo para crear el valor siguiente.
Si selecciona la casilla Identificar categorías, estas quedarán identificadas mediante sus títulos y asignadas según corresponda al crear la tabla dinámica.
Asimismo, puede cambiar los tipos de letra básicos para lenguas asiáticas y de disposición compleja de textos si se ha activado esta funcionalidad en Herramientas ▸ Opciones ▸ Configuración de idioma ▸ Idiomas.
Un relleno de degradado es la mezcla creciente de dos colores diferentes o tonos del mismo color que puede aplicarse a un objeto de dibujo.
Muestra los estilos de la categoría seleccionada en una lista jerárquica. Para ver los estilos de un subnivel, pulse el signo más (+) que se encuentra junto al nombre del subnivel.
Pulse en el icono situado más a la derecha para establecer un borde exterior. Las líneas internas no se modifican, salvo las diagonales, que se quitan.
Para cambiar el nombre de una trama, selecciónela, pulse con el botón secundario del ratón y seleccione Cambiar nombre. Para eliminar una trama, selecciónela, pulse con el botón secundario del ratón y seleccione Eliminar.
El nombre o la dirección de correo-e de este contacto ya existe en esta carpeta. ¿Quiere guardar los cambios de todos modos?
Se pueden introducir varios tipos de letra alternativos, separados por punto y coma. LibreOffice utiliza cada uno de los tipos de letra especificados en sucesión si los tipos anteriores no están disponibles.
Inserta una fila vacía encima de la fila actual, si la tabla no se ha guardado. Inserta una fila vacía al final de la tabla si la tabla ya se ha guardado.
No se puede aplicar la numeración a la página actual. Los números pares pueden usarse en las páginas izquierdas y los números nones en las derechas.
regresión logarítmica: encuentra una curva logarítmica en forma de y = b + a1.ln[x1] + a2.ln[x2] + a3.ln[x3] ..., donde aies el i-ésimo coeficiente, b es el intercepto y ln[xi] es el logaritmo natural de la i-ésima variable independiente, que mejor se ajusta a los datos.
Si la protección no posee ninguna contraseña y le gustaría utilizar una, marque la casilla Con contraseña, pulse en el botón Contraseña y, a continuación, digite y confirme una contraseña de por lo menos cinco caracteres.
Mientras se buscan las actualizaciones, verá un indicador de progreso. Espere a que aparezcan los mensajes en el diálogo, o pulse en Cancelar para interrumpir la búsqueda de actualizaciones.
La entrada IgnoreAllList no se puede seleccionar ni eliminar. Únicamente es posible eliminar el contenido de las palabras incluidas como contenido. Esto sucede de manera automática cada vez que cierra LibreOffice.
También puede efectuar cambios directamente en un índice o un sumario. Pulse con el botón secundario del ratón en el índice o el sumario, seleccione Editar índice o sumario, pulse en la pestaña Tipo y desmarque la casilla Protegido contra cambios manuales.
Especifica la configuración de la retícula en las páginas del documento. Esta retícula ayuda a determinar la posición exacta de los objetos. También se puede alinear la retícula con la retícula de acoplamiento «magnético».
El objeto seleccionado puede hacerse girar alrededor del eje de giro especificado. El eje de giro predeterminado es el centro del objeto.
Las descripciones emergentes ampliadas brindan información concisa sobre los botones y las órdenes. Para que se muestre una descripción amplada, presione Mayús + F1 y, a continuación, apunte con el ratón a un botón o a una orden.
Muestra una imagen para la viñeta. Seleccione esta opción y, a continuación, pulse en Seleccionar para localizar el archivo de imagen que desee utilizar. La imagen se incrusta en el documento.
Desactiva o activa los mensajes repetitivos de advertencia de que eliminar correos de una carpeta de búsqueda elimina permanentemente el correo, no sólo los elimina de los resultados de la búsqueda.
Pulse en una celda de la tabla mayor que contenga un número, pulse sobre el signo más (+) y, a continuación, sobre una celda diferente que contenga un número.
El inicio de sesión corporativo permite que se use una cuenta de usuario gestionada de manera centralizada en este dispositivo. También puede usar esta cuenta para acceder a recursos de la compañía en Internet.
Añade una diapositiva existente al final de la lista Diapositivas seleccionadas. Debe seleccionar una diapositiva de la lista Diapositivas existentes antes de que pueda utilizar este botón.
Utilice este modo de amortización para obtener, al contrario que con el modo lineal, un valor de amortización mayor al inicio de la amortización. Con cada período de amortización, dicho valor se reduce en las amortizaciones ya deducidas del valor de compra.
Fuerza la salida de vídeo simulada para crear imágenes usando un formato cromático específico en vez de intentar mejorar rendimiento usando el más eficiente.
Las funciones numéricas siguientes realizan cálculos. Los operadores matemáticos y lógicos se describen en una sección independiente. Las funciones difieren de los operadores en que estas pasan argumentos y devuelven un resultado, mientras que los operadores devuelven un resultado al combinar dos expresiones numéricas.
Si el formulario está vinculado a una base de datos y se desactiva el modo Diseño, la barra del formulario se muestra en el margen inferior de la ventana del documento. El diálogo Propiedades del formulario permite configurar la vinculación a la base de datos.
Todas las rutinas o identificadores BASIC de ScriptForge precedidas por guion bajo «_» están reservadas para uso interno. No deben utilizarse en macros BASIC o secuencias Python.
Puede definirse la unidad de medida predeterminada para los textos de Writer en la ventana que se abre al elegir Herramientas ▸ Opciones ▸ LibreOffice Writer ▸ General. Para Calc, Draw e Impress, primero abra un documento de ese tipo y luego abra la página General apropiada, como en el caso de Writer.
Valores mayores a 1/3 de la página del buffer no pueden ser indexados. Considere un índice sobre una función que genere un hash MD5 del valor, o utilice un esquema de indexación de texto completo.
Escriba el nombre que se debe mostrar en el cuadro de lista del cuadro de diálogo Configuración de filtros XML. Debe especificar un nombre único.
=JERARQUIA.EQV(A10;A1:A50) devuelve la jerarquía del valor en A10 en el intervalo de valores A1:A50. Si Valor no existe en el intervalo, se muestra un mensaje de error.
Para hacer visible el icono «Texto vertical» en la barra de herramientas Dibujo, marque la casilla Asiático en Herramientas ▸ Opciones ▸ Configuración de idiomas ▸ Idiomas ▸ Idiomas predeterminados para los documentos; luego pulse con el botón secundario del ratón en la barra y finalmente pulse en Botones visibles ▸ Texto vertical.
Si se coloca el botón en el área Campos de datos, se le asignará una leyenda que también muestra la fórmula que se utilizará para calcular los datos.
Si no se ha seleccionado completamente ninguna celda, se elimina el texto entre el cursor y el final de la frase actual. Si el cursor se ubica al final de una celda y no se seleccionó completamente ninguna celda, se elimina el contenido de la próxima celda.
Cuando haya varios formatos de vídeo disponibles, seleccionar uno cuya resolución esté más cercano (pero no sea mayor que) esta preferencia, en número de lineas. Use esta opción si no tiene suficiente capacidad de CPU o ancho de banda para reproducir mayores resoluciones.
Si esta casilla está activada, se inserta el carácter que aparece después de «Igual que la configuración regional» al presionar la tecla en el teclado numérico. Si la casilla no está activada, se inserta el carácter que proporcione el programa controlador del teclado.
Se pueden definir distintos tipos de criterios, como, por ejemplo, «números entre 1 y 10» o «textos con un máximo de 20 caracteres».
Pulse dos veces en la leyenda para seleccionarla y editarla. Pulse y, a continuación, pulse dos veces sobre un icono de la leyenda seleccionada para editar la serie de datos asociada.
Nota para archivos binarios: El contenido de las variables se escribe en la posición especificada y el puntero del archivo se inserta directamente después del último byte. No se deja espacio entre los registros.
Abra la barra de herramientas Controles de formulario, pulse en el icono Más controles, en el icono Control de tablas y arrastre el ratón para generar el campo. Debe haber una conexión con una base de datos.
Puede insertar secciones a partir de un documento de texto o un archivo de texto completo como una sección en otro documento de texto. También puede insertar secciones a partir de un documento de texto como enlaces en el mismo archivo o en otro diferente.
Define la intensidad del envejecimiento en un valor porcentual. Al 0 % se pueden visualizar los tonos grises de todos los píxeles. Al 100 % solo permanece el canal de color rojo.
Revierte la acción de la última orden de Deshacer. Para seleccionar el paso de la lista Deshacer que quiere revertir, pulse en la flecha situada junto al icono Rehacer de la barra de herramientas Estándar.
Nombre del dispositivo de vídeo que usará el complemento DirectShow. Si no especifica nada, se usará el dispositivo predeterminado.
Para obtener una lista de todos los prefijos admitidos en un idioma determinado, llame a Number2Text con el argumento especial "help", como se muestra en el siguiente ejemplo:
Este parámetro especifica el formato de datos al importar ficheros CSV. La biblioteca AqBanking ofrece varios formatos de importación (llamada «profiles») de los cuales aquí puede elegir uno.
LibreOffice está ejecutándose en el modo a prueba de errores, el cual desactiva temporalmente su configuración y extensiones personales. Puede efectuar uno o más de los cambios siguientes en el perfil de usuario para restituir el funcionamiento de LibreOffice.
Modo: un valor opcional entre 0 y 4 que indica el grado de simplificación que se utilizará en la conversión. Cuanto mayor sea el valor, mayor será la simplificación del número romano.
Utilice el grupo Estilos de la barra lateral para asignar estilos a las celdas y las páginas. Puede aplicar, actualizar y modificar estilos o crear nuevos.
Crea un BSpline que se ajusta a los ángulos del trayecto. Este efecto se usa directamente en el lienzo con el modo BSpline de las herramientas de dibujo.
Mientras está diseñando el formulario, pulse el icono Cuadro de grupo en la barra de herramientas y utilice el ratón para crear un marco - Página 3 del asistente.
Si desea realizar sustituciones adicionales, consulte la tabla de sustituciones en Herramientas ▸ Corrección automática ▸ Opciones de corrección automática ▸ Reemplazar. En ella puede, entre otras cosas, reemplazar automáticamente un texto de atajo por una raya o un emoticono, incluso con otro tipo de letra.
Puede crear dos categorías de subtotal adicionales utilizando las páginas Segundo grupo y Tercer grupo y repitiendo los pasos 3 a 6. Si no desea añadir más grupos, deje el valor «- ninguno -» en la lista Agrupar por de cada página.
Según haya creado la consulta o vista en la pestaña Diseño o en SQL se mostrarán los símbolos siguientes:
Active esta casilla si quiere que recibir avisos siempre que el documento contenga objetos transparentes. Si imprime uno de estos documentos, se mostrará un cuadro de diálogo en el que se pueden seleccionar las opciones de impresión de las transparencias.
En la práctica, este método devuelve una matriz indizada a partir de cero de renglones de salida, sin saltos de renglón al final salvo que estos ya existan en la entrada.
Seleccione la ordenación personalizada que desee aplicar. Para definir una ordenación personalizada, vaya a Herramientas ▸ Opciones ▸ LibreOffice Calc ▸ Listas de ordenación.
Marque la casilla Mantener proporciones para evitar distorsionar las imágenes al posicionarlas en la diapositiva. La imagen quedará contenida por completo dentro de la diapositiva.
El estilo de página seleccionado se usará a partir del párrafo actual y hasta el próximo salto de página con un estilo asignado. Es posible que tenga que crear primero el estilo de página nuevo.
Define el número de personas que participarán en el proceso de aprendizaje. Cada individuo encuentra sus propias soluciones y contribuye al conocimiento general.
Especifique el nivel de H.264 (definido por Annex A del estándar). Los niveles no son forzados; depende del usuario seleccionar un nivel compatible con el resto de las opciones del codificador. Rango de 1 a 5.1 (10 a 51 también está permitido). Establecer a 0 para dejar a x264 establecer el nivel.
segundo: cualquier expresión entera que indique el segundo de la hora utilizada para determinar el valor de serie de hora. En general, se usan valores entre 0 y 59. Sin embargo, también se pueden usar valores fuera de este intervalo, en que el número de segundos afecta al valor de minuto.
Para repetir el título de una tabla cuando esta abarca más de una página, utilice la opción Tabla ▸ Propiedades de tabla ▸ Flujo de texto ▸ Repetir título.
Presione Ctrl + Intro sobre un icono para crear un objeto de dibujo. Se colocará un objeto de dibujo en la mitad de la vista, con un tamaño predefinido.
Si la marca de agua en uso es un texto insertado a través de la orden Formato ▸ Marca de agua o mediante las configuraciones de clasificación del documento, será capaz de editar el contenido y los parámetros en el cuadro de diálogo Marca de agua.
Puede reproducir desde varias entradas al mismo tiempo. Esta característica es experimental, no se soportan todos los formatos. Use una lista de entradas separadas por «#».
Estas cuentas impositivas pueden o bien ser completadas empleando el registro normalizado, o bien desde Facturas y Cargos de Negocios los cuales requerirán Distribuciones Impositivas para ser configuradas correctamente. Por favor vea la documentación.
Es visible únicamente cuando pulsa en el botón E# de la línea Estructura. Seleccione para mostrar el número del capítulo con o sin separador.
Pulsación doble sobre el apunte en la columna Descripción para ir a la Transacción. Pulsación doble sobre el apunte en la columna Enlace para abrir el Documento Enlazado. Pulsación doble sobre el apunte en la columna Disponible para modificar el enlace documental.
Muestra u oculta los bordes de las celdas de las tablas que carecen de bordes especificados. Los límites son visibles solo en la pantalla y no se imprimen.
Este método se puede utilizar también para insertar un intervalo proveniente de otra hoja del mismo documento en la hoja activa. Seleccione el documento activo como origen en el paso 4 anterior.
Indica cómo ordenar cuentas en un árbol de carpetas usado en una vista de Correo. Cuando está establecido a cierto las cuentas se ordenan alfabéticamente, con la excepción de En este equipo y Carpetas de búsqueda, de lo contrario las carpetas se ordenan por el orden dado por el usuario
Desplaza el control seleccionado en pasos de 1 mm en la dirección respectiva. En el modo Editar puntos, modifica el tamaño del control seleccionado.
El contraste alto es una configuración del sistema operativo que cambia la combinación de colores para mejorar la legibilidad. Puede configurar cómo quiere que LibreOffice use la configuración de contraste alto del sistema operativo.
TRUE si el origen del contexto debe estar en la esquina de la página y no en la esquina del área de donde puede aparecer la imagen
Dibuja una línea conectora curva con un círculo en el punto de partida. Pulse en un punto de unión de un objeto, arrastre hasta un punto de unión de otro objeto y finalmente suelte el botón del ratón.
De forma predeterminada el complemento de interfaz rc iniciará una consola de comandos DOS. Habilitar el modo silencioso no abrirá esta consola de comandos pero puede ser bastante molesto si quiere detener VLC y no está abierta ninguna ventana de vídeo.
Determina si un año es bisiesto. En caso afirmativo, la función devuelve el valor 1 (VERDADERO); en caso negativo, devuelve 0 (FALSO).
Inserta un salto de página manual en la posición actual del cursor y a este lo sitúa en el comienzo de la página siguiente.
Cualquier cosa que trace con la pluma aparecerá en la diapositiva tras salir del pase de diapositivas. Es posible modificar las propiedades de la pluma si selecciona Anchura de pluma o Cambiar color de pluma en el menú contextual del pase de diapositivas.
Fecha es cualquier fecha en el año respectivo. El parámetro Fecha debe ser una fecha válida de acuerdo a la configuración regional de LibreOffice.
A diferencia de Guardar como, la orden Exportar escribe una copia del documento actual en un archivo nuevo en el formato que elija, manteniendo el documento actual, con su formato intacto, abierto en la sesión.
Per indica el período cuyo interés compuesto se calculará. El período equivale a NPER cuando se calcula el interés compuesto del último período.
En las Propiedades del control se muestra la tabla indicada, como parte de una orden SQL en el cuadro Contenido de lista.
Un número complejo es una expresión que resulta en la forma «a+bi» o «a+bj», donde a y b son números. Si el número complejo es en realidad un número real (b=0), entonces puede ser o una cadena o un valor numérico.
Devuelve la probabilidad de que los valores estén en un intervalo entre dos límites. Si no hay un valor Fin, esta función calcula la probabilidad basada en el principio de que los valores de datos son iguales al valor de Inicio.
En sistemas Windows, también puede arrastrar y colocar en lugar de copiar y pegar. Para bases de datos registradas, puede abrir el navegador de orígenes de datos (oprima Ctrl + Mayús + F4) en lugar de abrir la ventana de Base.
Para cambiar la orientación de todas las páginas que comparten un mismo estilo de página, necesitará un estilo de página y luego aplicar ese estilo:
Varios codificadores/decodificadores de audio y vídeo proporcionados por la biblioteca FFmpeg. Incluye (MS)MPEG4, DivX, SV1, H261, H263, H264, WMV, WMA, AAC, AMR, DV, MJPEG y otros códecs
Sale del grupo para que no se puedan editar los objetos del grupo. Si se trata de un grupo anidado, solo se cierra el grupo anidado.
Crea una cadena de acuerdo con el carácter especificado o el primer carácter de una expresión de cadena que se pasa a la función.
Mostrar solo transacciones donde descripción, anotaciones, o memorandum coincide con este filtro. p. e. '#gift' encontrará todos las transacciones con #gift en descripción, anotaciones o memorándum. Puede dejarse en blanco, lo cual desactiva el filtro.
Es posible atribuir un tiempo diferente para que cada diapositiva avance a la siguiente. La funcionalidad Presentación cronometrada puede auxiliarle en el ensayo de su cadencia al presentar.
Retire los objetos del Navegador arrastrándolos y determine en el submenú del símbolo Modo Arrastrar si el objeto se debe insertar como copia, como vínculo o como hiperenlace.
Las entradas de la barra de menús se podrán eliminar, añadir, copiar o desplazar de un menú a otro, cambiarles el nombre, etc.
El nombre del dispositivo se usa para identificarlo cuando se ve en la red o al emparejar dispositivos Bluetooth.
LibreOffice fue actualizado a una versión nueva. Algunas extensiones de LibreOffice instaladas no son compatibles con esta versión y deben actualizarse para poder utilizarlas.
Pulse en las flechas hacia arriba o hacia abajo de la derecha para mover la orden seleccionada hacia arriba o hacia abajo en la lista de órdenes de menú mostradas.
No se puede acceder a tablas de diferentes bases de datos en una consulta. Las consultas en las que intervienen varias tablas pueden crearse únicamente dentro de una sola base de datos.
Si está activado, incluye precios añadidos por aplicación. Estos precios fueron añadidos tal que siempre hay un precio «cercanos en tiempo» para cada transacción multicolumna tal que la página de Cuentas y boletines son capaces de informar correctamente valores tal que quitándolos puede hacer esto menos fiable.
Para que la sustitución surta efecto, indique a LibreOffice la libreta de direcciones que se utiliza. El Asistente que solicita esta información aparece de forma automática la primera vez que se activa, por ejemplo una plantilla de carta comercial. El Asistente también puede ejecutarse siguiendo los pasos que se indican a continuación.
Para mostrar un módulo determinado en el Editor, o para posicionar el cursor en una FUNCIÓN o SUB seleccionado, pulse dos veces en la entrada correspondiente.
El mismo proceso se aplica a una Function. Así también, las funciones siempre devuelven un resultado de función. El resultado de una función se define asignando el valor de retorno al nombre de la función:
A menudo, los redactores y editores definen una página «estándar» como una que contiene un determinado número de caracteres o de palabras. Marque esta casilla para permitir un cálculo rápido del número de estas páginas.
Muestra la abreviatura de la entrada de AutoTexto seleccionada. Si desea crear una entrada nueva de AutoTexto, escriba la combinación de teclas que desee usar para la entrada.
Seleccione el nivel de transparencia de la marca de agua. Un valor de 0 % produce una marca de agua opaca; un valor de 100 % la vuelve totalmente transparente (invisible).
Número de rebanadas en cada fotograma de vídeo; cada rebanada contiene uno o mas filas de macro-block. Si el número de rebanadas no está configurado, el codificador a lo mejór elegirá cualquier rebanada permitida por el códec estándar.
El cuarto parámetro opcional de la función BUSCARV en Calc indica si la primera columna de datos está ordenada. Si no es así, introduzca FALSO o cero.
Un twip es una unidad independiente de la pantalla que se usa para definir la posición y tamaño uniformes de los elementos de pantalla en todos los sistemas de visualización. Un twip es 1/1440 de una pulgada o 1/20 del punto de una impresora. En una pulgada hay 1440 twips o unos 567 twips por centímetro.
Este ajuste especifica si las conversaciones se deberían ordenar en base al último mensaje de cada conversación, en lugar de por la fecha del mensaje. Evolution necesita un reinicio.
Proporcionar una cadena de huso horario no válida a cualquiera de los métodos del servicio Region no dará lugar a un error de ejecución. En su lugar, los métodos como UTCDateTime y UTCNow devolverán la fecha y hora actuales del sistema operativo.
Este parámetro indica si se busca en todos los objetos de la clase actual, o sólo en los objetos «activos» de la familia actual.
Para mover un marco u objeto seleccionado, pulse una tecla de cursor. Para mover un píxel, mantenga pulsada la tecla Alt y pulse una tecla de cursor.
Si se establece a cierto, al realizar una operación de arrastrar y soltar, la carpeta sobre la que se pase el puntero se abrirá automáticamente después de un cierto tiempo.
En los siguientes ejemplos, las fechas se pasan como cadenas. Sin embargo, también se pueden almacenar en celdas separadas y pasar como referencias.
matriz_2d: Cada elemento debe ser texto, un número, una fecha o un valor booleano. Las fechas se transforman al formato AAAA-MM-DD hh:mm:ss. los elementos no válidos se reemplazan por una cadena de longitud cero.
Para saltar a una celda de la hoja de cálculo, escriba un nombre para la celda primero (Hoja ▸ Intervalos y expresiones con nombre ▸ Definir).
Una vez finalizados los cambios cierre el archivo de origen del objeto OLE. El objeto OLE se actualiza en el documento contenedor.
El tipo de letra predeterminado para utilizar cuando escriba comprobaciones. Este valor será sobrescrito por cualquier tipo de letra especificada en un fichero de descripción de comprobación.
Cuando está marcada, las muestras se extraen en el orden de los datos de población. Las muestras no se devuelven a la población (exclusivo conCon reemplazo). Esta opción se comprueba automáticamente para el muestreo Periódico. Cuando no se marca, las muestras se extraen en orden aleatorio.
Ajusta automáticamente la anchura de las columnas para que coincida con el contenido de las celdas. Cambiar la anchura de una columna no afecta a la anchura de las otras columnas de la tabla. El ancho de la tabla no puede exceder el de la página.
Importar mediante una bilblioteca interna (derivada de Poppler). El texto se almacena como texto pero falta el espacio en blanco. Las mallas se importan como teselas, la cantidad depende de la precisión indicada más abajo.
Algunos efectos LADSPA deben retrasar el audio que se devuelve a Audacity como parte de su procesamiento. Si no se compensa este retardo se pueden provocar pequeños silencios insertados en el audio. Habilitando esta opción se compensará ese problema, aunque puede no funcionar en todos los efectos LADSPA.
Para aplicar el diseño de página solamente a la página actual, desmarque la casilla Intercambiar página de fondo y pulse en Aceptar.
Si la opción está desactivada (lo cual es el valor predeterminado), se aplicará el ajuste de texto nuevo. Si la opción se activa, se aplica el ajuste de texto anterior.
Muestra el tipo de índice al que pertenece la entrada seleccionada. No se puede cambiar el tipo de una entrada de índice en este cuadro de diálogo. Para hacerlo, debe eliminar la entrada de índice del documento y, a continuación, insertarla de nuevo en un tipo de índice diferente.
El contenido de una fecha fija o de un campo de hora es equivalente al parámetro SDVAL; de lo contrario el contenido es igual al texto encontrado entre las etiquetas HTML SDFIELD.
Monitoreo de Barras es una cadena que define si la barrera se monitorea continuamente ("c") o solo al final/vencimiento ("e").
Permite asignar un nombre a las distintas secciones del documento de hoja de cálculo. Al asignar un nombre a las distintas secciones, se puede navegar fácilmente por los documentos de hoja de cálculo para buscar información concreta.
Todos los símbolos se organizan en conjuntos de símbolos. Seleccione el conjunto de símbolos que desee en el cuadro de lista. El grupo correspondiente de símbolos aparece en el campo de abajo.
Mantenga pulsado el botón del ratón y tire hacia abajo o hacia la derecha sobre las celdas en las que desee copiar la fórmula.
HORANUMERO devuelve el número de hora interno a partir de un texto entrecomillado que puede mostrar un posible formato de hora.
Seleccione la entrada del diccionario actual que quiera editar. Si lo prefiere, puede también escribir una entrada nueva en este cuadro.
Intervalo (argumento obligatorio): una matriz, un nombre de intervalo o una etiqueta de columna o fila que contiene los números por promediar o el texto de la condición.
Máxima distancia para buscar cálculo de movimiento, medida desde posicion(es) predichas. 16 por defecto es bueno para la mayoría de metraje, secuencias de mucho movimiento pueden beneficiarse de ajustes entre 24 y 32. Rango de 0 a 64.
Puede conectar objetos de LibreOffice Draw mediante líneas especiales llamadas «conectores» para denotar la relación que existe entre los objetos. Los conectores se ligan a los puntos de unión de los objetos de dibujo y permanecen ligados cuando los objetos conectados se desplazan. Los conectores son útiles para crear diagramas de organización y técnicos.
Blanco y negro convierte todos los colores en blancos o negros. Los bordes alrededor de los objetos se imprimirán en negro. Todo el texto se imprime en negro. Los fondos establecidos mediante la opción Formato ▸ Página ▸ Fondo no se imprimirán.
Algunas compañías u organizaciones pueden requerir documentos ODF en el formato ODF 1.0/1.1 u ODF 1.2. Puede seleccionar estos formatos de guardado en el cuadro de lista. Estos formatos más antiguos no pueden almacenar todas las funcionalidades nuevas, de modo que se recomienda el formato ODF 1.3 (ampliado) en la medida de lo posible.
Si ha abierto el cuadro de diálogo mediante Insertar ▸ Documento, el botón Abrir se etiqueta como Insertar. Inserta el archivo seleccionado en la posición del cursor del documento actual.
El núcleo todavía usa la tabla antigua. La nueva tabla se usará en el próximo reinicio o después de que usted ejecute partprobe(8) o partx(8).
También puede crear un estilo de párrafo que incluya numeración de renglones y aplicarlo a los párrafos a los que desee añadir números de renglones.
Marque esto para alinear el dibujo automáticamente con el origen (más el desvío de la herramienta, si lo tiene). Si no está marcado debe asegurarse de que todas las partes del dibujo están dentro del borde del documento (Predet: Marcado)
Especifique las opciones de anclaje del objeto o marco seleccionado. Las opciones de anclaje no están disponibles si el cuadro de diálogo se abre desde la ventana Estilos.
El servicio L10N se basa en la implementación de GNU de los archivos PO (objeto portátil). Para conocer más de este formato de archivo, visite la documentación de utilidades de GNU gettext: archivos PO (en inglés).
Al copiar el objeto directamente en el documento, el tamaño del mismo se incrementa (como mínimo) en una proporción equivalente al tamaño del objeto en bytes. Si guarda el documento y luego lo abre en otro equipo, el objeto insertado seguirá en el mismo lugar del documento.
Puede copiar una tabla arrastrándola y colocándola en el área de tablas dela ventana de un archivo de base de datos. Se abrirá el cuadro de diálogo Copiar tabla.
Aptitude utilizará una sencilla heurística para resolver de forma inmediata todas las dependencias de cada paquete que marque para instalar si habilita esta opción. Esto es mucho más rápido que la herramienta de resolución de dependencias incorporada en el programa, pero puede producir resultados inadecuados o fallar por completo en algunas situaciones.
Las siguientes opciones de desensamblador específicas de AARCH64 se admiten para usarse con el interruptor -M (las opciones múltiples se deben separar con comas):
Convertir un objeto a guías las coloca a lo largo de los bordes reales del objeto (imitando su forma) y no a lo largo de la caja de contorno.
Los cambios efectuados en el documento en una de las ventanas se aplican automáticamente a todas las ventanas abiertas de dicho documento.
También puede pulsar con el botón derecho sobre un índice o un sumario y a continuación elegir Actualizar índice o sumario. Las órdenes siguientes también están disponibles en el menú contextual:
Indica que quiere guardar los valores de referencia en una base de datos. Los valores se escriben en el campo de datos seleccionado en el cuadro de lista. El cuadro de lista muestra los nombres de todos los campos de la tabla de base de datos a la que está enlazado el formulario.
Opcionalmente, pulse en cualquiera de las opciones. Mientras cambie los valores en el asistente, observe la previsualización en el documento para saber cómo lucirá el gráfico.
Si la frecuencia de transmisión satélite excede la frecuencia de conmutación, se usará de referencia al oscilador de alta frecuencia. Además será enviado el tono continuo automático de 22kHz.
Si desea ir a un marcador concreto del documento botón derecho del ratón en el campo Página de la Barra de estado y elija el marcador.
Toda la configuración se guarda automáticamente. Para abrir una entrada, pulse dos veces en ella o pulse en el signo de suma (+). Para contraer la entrada, pulse en el signo de resta (−) o pulse dos veces en la entrada.
Dibuja un conector directo con un círculo en el punto final. Pulse en un punto de conexión de un objeto, arrastre a un punto de conexión de otro objeto y luego suelte el botón del ratón.
Defina, por ejemplo, para la máscara de caracteres «__.__.2000», la máscara de entrada «NNLNNLLLLL» que el usuario pueda introducir 4 cifras en la indicación de la fecha.
Enumera los nombres de los campos de la base de datos en la consulta o la tabla seleccionada. Pulse para seleccionar un camop o mantenga oprimida la tecla ⇧ o Ctrl al pulsar con el ratón para seleccionar más de un campo.
El sufijo de respaldo es '~', a menos que se establezca con --suffix o con SIMPLE_BACKUP_SUFFIX. El método de control de versión se puede seleccionar con la opción --backup o a través de la variable de entorno VERSION_CONTROL. Estos son los valores:
Seleccione el formato de tamaño que desee usar. Los formatos disponibles dependen de lo que se haya seleccionado en la lista Marca. Si quiere utilizar un formato de tamaño personalizado, seleccione [Usuario] y, a continuación, pulse en la pestaña Formato para definir el formato.
Inserta un campo de texto que podrá abrir y editar pulsando sobre él en el documento. Puede usar campos de entrada para texto o asignar un valor nuevo a una variable.
Cree criterios en las celdas del área CriteriosDeBúsqueda mediante los operadores de comparación <, <=, =, <>, >= y >. = se asume si una celda no está vacía pero no comienza con un operador de comparación.
Disminuye la escala de visualización de la fórmula en 25 %. El factor de zum actual se muestra en la barra de estado. Mediante el menú contextual se puede acceder a varias opciones de zum. El menú contextual del área de trabajo también contiene órdenes relacionadas.
Si cambia el valor de la celda C13 a «10», la fórmula =BDEXTRAER(A1:E10; "Nombre"; A12:E13) devuelve un error de argumento no válido (Err:502). Refleja que varios registros coinciden con el criterio especificado (tanto Beatriz como Carlos tienen 10 años).
Se necesita una clave principal o un índice único para identificar registros de datos en esta base de datos. Solo puede escribir datos en esta tabla si se cumple una de estas condiciones estructurales. ¿Quiere crear una clave principal ahora?
sheetname: el nombre de la hoja para activar en el documento. El valor predeterminado es una cadena vacía, lo que significa que la ventana del documento se activará sin cambiar la hoja activa.
Define la distancia de acoplamiento a la cuadrícula entre el puntero del ratón y el contorno del objeto. LibreOffice Impress acoplará a un punto si el puntero está situado más próximo a este que la distancia configurada en el control Área de acoplamiento.
Seleccione la categoría de órdenes de menú en el cuadro desplegable para restringir la búsqueda de órdenes, o bien, desplácese por la lista de más abajo. Las macros y las órdenes de estilos pueden hallarse en la parte inferior de la lista.
El cuadro de diálogo Insertar se configura como el cuadro Abrir en Archivo. Use el cuadro Insertar para cargar, editar y ver una fórmula guardada como un archivo en el cuadro Órdenes.
Si está instalada una biblioteca de sinónimos para la lengua de una palabra, el menú contextual de la palabra mostrará un submenú «Sinónimos». Seleccione cualquiera de los términos del submenú para reemplazar la palabra.
Fijo: los cambios solo afectan a la celda adyacente y no a toda la tabla. Por ejemplo, cuando ensancha una celda, la adyacente se vuelve más estrecha, pero la anchura de la tabla no cambia.
Inserte o modifique las propiedades de un punto de unión. Los puntos de unión son puntos de conexión personalizados a los que se puede asociar una línea conectora. De forma predeterminada, LibreOffice sitúa automáticamente un punto de unión en el centro de cada lado del rectángulo que limita cada uno de los objetos creados.
La siguiente es una lista completa de todos los tipos de paréntesis disponibles. El icono ubicado junto a cada tipo de paréntesis indica que puede acceder a él mediante el panel Elementos (menú Ver ▸ Elementos) o mediante el menú contextual del cuadro Órdenes.
En LibreOffice Writer hay dos casillas antes de Reconocer URL: la casilla de la primera columna pertenece a la reedición posterior y la casilla de la segunda, a la corrección automática durante la escritura.
Griega (opcional) es un argumento de cadena. Si se omite o se establece en "valor", "v", "precio" o "p", la función simplemente devuelve el precio de la opción. Si se ingresa otra cadena válida, la función devuelve sensibilidades de precio (griegas) a uno de los parámetros de entrada. Las opciones válidas en este caso son las siguientes.
Teclee la(s) primera(s) letra(s) del nombre de una cuenta existente en la columna «Transferir», y GnuCash completará el nombre desde su listado de cuentas. Para subcuentas, teclee la(s) primera(s) letra(s) de la cuenta antecesora seguida de ‘:’ y la(s) primera(s) letra(s) de la subcuenta (p.e. A:E para Activos:Efectivo).
Cuando se entregue una fecha sin el año, puede completarse para que esté dentro del calendario efectivo o cerrar a la fecha efectivo basada en una ventana deslizante empezando un número fijo de meses anteriores en el tiempo.
En algunas ventanas, diálogos y en el campo de control de las tablas, hay tablas para seleccionar datos, por ejemplo en la parte derecha de la Visualización de fuente de datos. Las teclas siguientes se usan para hacer selecciones en estas tablas:
En Márgenes puede definir los valores, mínimo o máximo, para los márgenes de la páginas (izquierdo, derecho, superior e inferior). Pulse en el control respectivo y, acto seguido, oprima la tecla Re Pág o Av Pág. La previsualización muestra una línea pespunteada alrededor de la zona imprimible.
Elimina las columnas de un intervalo especificado que coincidan con un filtro expresado como una fórmula de Calc. El filtro se aplica a cada una de las columnas para decidir si se eliminarán o no.
Si están activadas esta opción y la opción de «resolver automáticamente las dependencias», aptitude intentará instalar las recomendaciones de los paquetes nuevos a instalar además de las dependencias directas de estos. No se instalarán automáticamente las sugerencias. Si ha activado esta opción junto con «Eliminar paquetes no utilizados de forma automática» no se eliminará de forma automática los paquetes recomendados por un paquete ya instalado.
Puede definir un intervalo de celdas en una hoja de libro para utilizarla como base de datos. Cada fila de este intervalo de base de datos corresponde a un registro de base de datos y cada celda de una fila corresponde a un campo de base de datos. Puede organizar, agrupar, buscar y realizar cálculos en el intervalo, del mismo modo que en una base de datos.
Compruebe que el texto del documento esté organizado por capítulos y que los títulos de los capítulos y, si lo desea, los títulos de las secciones usen uno de los estilos predefinidos de párrafos de título. También debe asignar una opción de numeración a los estilos de párrafo de título.
Devuelve 27,5285874381574, el intervalo de predicciones de la previsión multiplicadora para enero de 2014 basado en los intervalos nombrados Valores y Plazo anteriores, con un nivel de confianza de 0,8, una longitud de período de 4, sin datos faltantes y SUMA como fórmula de totalización.
Parámetro opcional. Si se omite, la función devuelve el precio de la opción. Si se define, la función devuelve las sensibilidades del precio (griegas) para uno de los parámetros de entrada; los valores posibles son (d)elta, (g)amma, (t)heta, v(e)ga, v(o)lga, v(a)nna, (r)ho, rho(f)
Este cuadro muestra el nombre que ha proporcionado en el cuadro Referencia de la pestaña Funciones o Variables del cuadro de diálogo Campos. El cuadro de debajo muestra el contenido del campo.
Incluye una dirección de devolución en el sobre. Seleccione la casilla Remitente y escriba la dirección de devolución. LibreOffice inserta automáticamente sus datos de usuario en el cuadro Remitente, pero puede también introducir los datos que prefiera.
Distorsiona el objeto seleccionado envolviéndolo alrededor de círculos imaginarios y agregando perspectiva. Arrastre una de las agarraderas del objeto seleccionado para distorsionarlo. Si el objeto seleccionado no es un polígono o una curva de Bézier, se le indicará que convierta el objeto en una curva para poder distorsionarlo.
Para la tabla entera, pulse con el botón secundario del ratón sobre la entrada de la tabla en el Navegador y seleccione Tabla ▸ Desproteger en el menú contextual; o bien, seleccione toda la tabla y vaya a Tabla ▸ Desproteger celdas en la barra de menús.
Si ya tiene un gráfico de cotizaciones y quiere cambiar de subtipo, primero debe cambiar a un gráfico de columnas, añadir o quitar las columnas necesarias para el nuevo subtipo, y por último volver a cambiar el tipo de gráfico a gráfico de cotizaciones.
Un buen método para que las referencias a celdas o intervalos de celdas en fórmulas sean fáciles de reconocer es asignarles un nombre. Por ejemplo, puede asignar al intervalo A1:B2 el nombre Inicio. A continuación, puede escribir una fórmula como «=SUMA(Inicio)». Incluso aunque inserte o elimine filas o columnas, LibreOffice sigue reconociendo los intervalos identificados con un nombre. Los nombres de intervalos no deben contener espacios.
El contenido de las celdas de un área de etiquetas se puede utilizar como los nombres en las fórmulas; LibreOffice reconoce estos nombres de la misma forma que lo hace con los nombres predefinidos de los días de la semana y los meses. Estos nombres se completan automáticamente al escribirlos en una fórmula. Asimismo, los nombres definidos por áreas de etiquetas tienen prioridad sobre los definidos por áreas generadas automáticamente.
Si se trata de un cuadro de lista, las entradas se seleccionan en la lista y se guardan en la tabla de lista. Si se trata de un cuadro combinado, se puede agregar texto para guardarlo en la tabla de la base de datos activa del formulario (tabla de valores) y almacenarlo como convenga. Para tal propósito, el Asistente para cuadros combinados presenta Procesamiento de datos como última página, opción de la que carecen los cuadros de lista. En esta página se puede especificar si el texto que se ha escrito se debe guardar y su ubicación en la tabla de valores.
En el cuadro Para, elegir si se puede aplicar el color o el gráfico a la celda, fila o toda la tabla actual. Si selecciona varias celdas o filas antes de abrir el cuadro de diálogo, el cambio se aplica a la selección.
Si un marco está seleccionado: posiciona el cursor al final del texto en el marco. Si oprime cualquier tecla que produzca un carácter en pantalla y el documento se encuentra en el modo de edición, ese carácter se añade al texto.
De_moneda y A_moneda son las unidades monetarias que se convertirán respectivamente. Deben ser texto, la abreviatura oficial de la moneda (por ejemplo, "EUR"). La Comisión Europea estableció los tipos de cambio (mostrados por Euro).
Alinea verticalmente los bordes superiores de los objetos seleccionados. Si solo hay seleccionado un objeto en Draw o Impress, su borde superior se alinea con el margen superior de la página.
Inserta una sección de texto en el documento, en la posición del cursor. También puede seleccionar un bloque de texto y, a continuación, esta orden, para crear una sección. Puede usar secciones para insertar bloques de texto de otros documentos, para aplicar disposiciones personalizadas de columnas o para proteger u ocultar bloques de texto si se cumple una condición.
Consulte la documentación de la impresora para asegurarse de cómo colocar e imprimir sobres correctamente. Dependiendo de la impresora, quizás deba introducirlos en la bandeja de papel alineados a la izquierda, a la derecha o al centro y con la cara que se deba imprimir orientada hacia arriba o hacia abajo.
Revierte la última orden o la última entrada que escribió. Para seleccionar la orden que quiere revertir, pulse en la flecha situada junto al icono Deshacer de la barra Estándar.
Si arrastra el cuadro de la esquina inferior derecha de la celda activa para seleccionar un intervalo de celdas, LibreOffice inserta automáticamente las referencias que correspondan en las celdas adyacentes. Como resultado, al nombre de la hoja se añade un signo «$» para designarla como una referencia absoluta.
La siguiente es una lista de todas las funciones que aparecen en el panel Elementos. El icono ubicado junto a la función indica que puede acceder a ella mediante el panel Elementos (menú Ver ▸ Elementos) o mediante el menú contextual del cuadro Órdenes.
Especifique el URL de ayuda que se invoca cuando oprime F1 mientras el foco está en un control determinado. Utilice, por ejemplo, el formato HID:1234 para llamar el identificador de ayuda con el número 1234.
Los campos fijos con contenido fijo solamente se evalúan cuando se crea un documento nuevo a partir de una plantilla que contenga dicho campo. Por ejemplo, un campo de fecha con el contenido fijo inserta la fecha en que un documento nuevo se creó a partir de la plantilla.
Valores y Fechas se refieren a una serie de pagos y la serie de valores de fecha asociados. El primer par de fechas define el inicio del plan de pago. Todos los demás valores de fecha deben ser posteriores, pero no necesitan estar en un orden. La serie de valores debe contener al menos un valor negativo y uno positivo (ingresos y depósitos).
A continuación, el Listener debe añadirse al objeto Broadcaster lo que se consigue llamando al método apropiado para agregar un Listener. Estos métodos siempre siguen el patrón "addFooListener", donde "Foo" es el tipo de interfaz Listener sin la 'X'. En este ejemplo, el método addContainerListener se llama para registrar XContainerListener:
Escriba el término de búsqueda en el cuadro o selecciónelo de la lista. El texto situado bajo el cursor ya se ha copiado en el cuadro combinado Texto. Tenga en cuenta que, al ejecutar una búsqueda en un formulario, no es posible procesar tabulaciones ni saltos de línea.
Seleccione el entorno de ejecución de java JRE que desea utilizar. En algunos sistemas, debe esperar un momento para que la lista sea actualizada. En algunos sistemas, deberá reiniciar LibreOffice para usar la configuración elegida. La ruta al entorno de ejecución de Java JRE se muestra en la parte inferior del cuadro de lista.
Cada transacción tiene un campo "Anotaciones" donde puede poner información útil. Para hacerlo visible seleccione «Vista» en la barra de menú y marque «Doble línea» o marque «Modo de doble línea» en predeterminaciones de Preferencias:Registro.
Si el cálculo automático está desactivado, la orden Recalcular vuelve a calcular todas las celdas de la fórmula que dependen del contenido de la celda modificada y sus dependencias, así como aquellas celdas de la fórmula que contienen funciones volátiles como ALEATORIO() o AHORA() más las celdas que dependen de ellas.
LibreOffice importa y exporta referencias a secciones eliminadas, por ejemplo, una columna a la que se hacía referencia. Durante el proceso de exportación se puede ver la fórmula completa y la referencia eliminada tendrá una indicación (#¡REF!) a la referencia. Durante el proceso de importación se creará una marca de identificación #¡REF! para la referencia.
Si se marca, los degradados que no están en uso se borrarán automáticamente del archivo SVG. Si no se marca, los degradados que no se utilizan se conservarán para uso posterior. (Nota: este ajuste solamente afecta a degradados nuevos.)
Esta opción aparece únicamente si ha establecido una plantilla como la predeterminada. Utilice esta orden para quitar esa definición. Emplee Filtro para especificar cuál plantilla de aplicación se restablecerá. Seleccione Todas las aplicaciones en Filtro para restablecer las plantillas de todas las aplicaciones.
Una cadena que combina un idioma y un país en el formato «xx-XX». La parte relativa al idioma se expresa con dos o tres caracteres minúsculos, seguidos de un guion y dos caracteres mayúsculos que representan el país.
En LibreOffice Calc usted puede proteger las hojas y el documento como un todo. Puede elegir cuales celdas han de estar protegidas contra modificaciones, si las formulas pueden ser vistas desde Calc, cuales celdas serán visibles y cuales celdas podrán ser impresas.
Si el formato de fecha está establecido para indicar un formato de fecha personalizado, este valor se usa como un argumento a “strftime” para producir la fecha que sea marcada. Puede ser cualquier cadena “strftime” válida; para más información sobre este formato, lea la página del manual de “strftime” con «man 3 strftime».
La vista de datos filtrados está activa hasta que se modifique o cancele el orden o los criterios de filtrado. Si hay un filtro activo, se activa el icono Aplicar filtro de la barra Datos de tabla.
El disco en donde está intentando guardar el archivo tiene una limitación en tamaños de archivo. Intente guardar un archivo más pequeño o guardarlo en un disco que no tenga esta limitación.
Utilice este icono de la barra Herramientas para activar y desactivar el cursor de fórmula. La parte de la fórmula donde se coloca el cursor en el cuadro Órdenes se marca con un borde fino cuando el cursor de la fórmula está activo.
Para imprimir un intervalo de páginas, indíquelas con un formato como este: 3-6. Para imprimir páginas individuales, sírvase de un formato como 7;9;11. Es posible imprimir una combinación de intervalos de páginas y páginas individuales si utiliza formatos como 3-6;8;10;12.
Por ejemplo, si su programa tiene establecida una configuración regional inglesa, y desea formatear un año con cuatro dígitos, el código necesario para ello es YYYY. Si cambia a una configuración alemana, deberá utilizar JJJJ. La tabla siguiente enumera las diferencias por configuración regional.
Esta orden guarda la información necesaria para restaurar el documento actual si se produce un cierre inesperado. Asimismo, en estos casos, LibreOffice intenta guardar automáticamente la información de recuperación automática para todos los documentos abiertos, si es posible.
Los botones incluyen un menú desplegable. Si se ha aplicado algún filtro, la flecha se torna azul (de manera semejante a las tablas dinámicas), lo que facilita comprobar de un vistazo si los datos están filtrados.
El modo de edición de datos tabular le permite examinar sus datos como filas de registros y, opcionalmente, filtrarlos y ordenarlos. Esta modalidad también permite la introducción de registros nuevos y la modificación y eliminación de registros existentes.
Si desea que LibreOffice complete automáticamente las palabras que utiliza con frecuencia, puede realizar ajustes adicionales para perfeccionar dicho comportamiento. Si lo desea, puede guardar la lista actual de palabras recopiladas para utilizarla en la siguiente sesión.
En función de la configuración del gestor de ventanas de su sistema, también puede pulsar dos veces con el ratón en un sitio vacío de la barra de herramientas flotante o ventana mientras mantiene presionada la tecla Ctrl. O bien, pulse dos veces en la barra de título de la barra flotante o ventana.
Los degradados de malla forman parte de SVG 2: * La sintaxis puede cambiar. * No se puede garantizar su implementación en navegadores web. Para web: convierta a mapa de bits (Edición->Crear copia en mapa de bits). Para impresión: exporte a PDF
Dibuja un círculo sin relleno al arrastrar en el documento actual. Pulse donde desee dibujar el círculo y arrastre hasta el tamaño deseado. Para dibujar una elipse, mantenga pulsada la tecla Mayús al arrastrar.
En el modo SQL nativo es posible introducir órdenes de SQL que LibreOffice no interpreta, mas transmite directamente al origen de datos. Si no muestra estos cambios en la vista de diseño, no será posible cambiar de vuelta a la vista de diseño.
No se guardarán los cambios a atributos de formato como tipos de letra, colores y formatos numéricos, y algunas funcionalidades como la edición de gráficos y dibujos no están disponibles en el modo compartido. Desactive el modo compartido para obtener el acceso exclusivo necesario para estos cambios y funcionalidades.
Puede definir una serie de condiciones limitantes que pongan restricciones a algunas celdas. Por ejemplo, puede establecer que una variable o celda no deba ser mayor que otra, o que no supere un valor determinado. También es posible establecer que una o más variables deban ser enteras (valores sin decimales) o binarias (donde solo se permiten 0 y 1).
A continuación se incluye un ejemplo de cómo utilizar LibreOffice Math para crear una raíz. Para adoptar la sintaxis del ejemplo en un caso práctico copie el contenido del cuadro Órdenes mediante el portapapeles.
¿Cuántos días laborables hay entre el 15 de diciembre de 2016 y el 14 de enero de 2017? Sitúe la fecha inicial en C3 y la final en D3. Las celdas F3 a J3 contienen cinco (5) feriados para Navidad y Año Nuevo en formato de fecha: 24 de diciembre de 2016, 25 de diciembre de 2016, 26 de diciembre de 2016, 31 de diciembre de 2016 y 1 de enero de 2017.
Se recomienda que la partición en el desplazamiento 0 sea del tipo "SGI volhdr"; el sistema IRIX la utilizará para recuperar de su directorio herramientas autónomas como sash y fx. Sólo la sección de disco completo "SGI volume" puede infringir esta regla. ¿Está seguro de querer dar una etiqueta distinta a esta partición?
Las tablas y su tamaño y organización pueden definirse a voluntad. Para desplazar una tabla se pulsa con el ratón el margen superior y se lleva a la posición deseada. Para aumentar o disminuir el tamaño de presentación, arrastre el borde hacia una de las esquinas.
Si un cuadro de lista del formulario muestra el contenido de una tabla enlazada con una tabla de formulario, en el campo Tipo del contenido de lista defina si la visualización la determina una orden SQL o se accede a la tabla (enlazada). Con la propiedad Campo ligado, utilice un índice para indicar el campo de datos de la consulta o de la tabla con los que se enlaza la lista.
El enlace se efectúa mediante una expresión Select de SQL que, si seleccionó «SQL» o «SQL nativo», se especifica en Tipo de contenido de lista en el campo Contenido de lista. Por ejemplo, una tabla «Pedidos» se enlaza con el control del formulario actual y en la base de datos una tabla «Clientes» se enlaza a la tabla «Pedidos». Puede usar una instrucción SQL de la forma siguiente:
La gestión de acciones de controles se lleva a cabo a través de la API de LibreOffice. Si asigna una acción a un campo de control, un objeto se registra internamente como "Listener" ("oyente") para una acción de control específica. Para ello, el objeto debe utilizar una interfaz específica, como la interfaz XfocusListener, para poder reaccionar a las acciones de foco. Cuando tiene lugar la acción, el campo de control llama a un método especial de la interfaz Listener cuando el campo de control recibe el foco. A continuación, el objeto registrado internamente llama al código JavaScript o LibreOffice Basic asignado a la acción.
Mueve el cursor hacia la izquierda al inicio y al final de los bloques de celdas con datos. Si la celda a la izquierda del cursor está vacía o la celda con el cursor está vacía, el cursor se mueve hacia la izquierda en la fila actual hasta llegar a la siguiente celda con contenido. Si todas las celdas de la misma fila a la izquierda del cursor están vacías, el cursor se mueve a la primera celda de la fila.
Ejemplo: Si en una fórmula se hace referencia al área A1:B1 y se inserta una columna a continuación de la columna B, la referencia se expande a A1:C1. Si se hace referencia al área A1:B1 y se inserta una nueva fila debajo de la fila 1, la referencia no se expande, ya que contiene una única celda en dirección vertical.
Dibuja un conector con círculos en ambos extremos y con un ángulo cercano al punto de conexión. Pulse sobre un punto de conexión de un objeto, arrastre al punto de conexión de otro objeto y suelte el ratón. Para ajustar la longitud del segmento entre un ángulo y un punto de conexión, pulse en el conector y arrastre el ángulo.
Si se ha seleccionado la opción Mantener la escala, escriba una cantidad positiva para recortar el borde superior del gráfico o una cantidad negativa para agregar un espacio en blanco en la parte superior del gráfico. Si se ha seleccionado la opción Conservar el tamaño, escriba una cantidad positiva para incrementar la escala vertical del gráfico o una negativa para disminuirla.
Cuando escriba fechas como parte de las fórmulas, las barras y los guiones que se usen como separadores de fechas se interpretarán como operadores aritméticos. Por este motivo, las fechas formateadas de este modo no se reconocen como tales y producen cálculos erróneos. Para evitar que las fechas se interpreten como parte de las fórmulas, utilice la fórmula FECHA —p. ej., FECHA(1954;7;20)—, o bien, entrecomíllela y ordene sus componentes según la notación ISO 8601 —p. ej., "1954-07-20"—. Evite utilizar formatos regionales de fechas, como «07/20/54», porque estos pueden conllevar a errores de cálculo si abre el documento en sistemas con una configuración regional distinta.
El cuadro Área de la hoja en la barra Fórmula contiene una lista de nombres definidos para los intervalos o expresiones de fórmulas y sus alcances entre paréntesis. Pulse en el nombre de este cuadro para resaltar la referencia correspondiente en la hoja de cálculo. Esta lista no contiene los nombres especificados a fórmulas o partes de fórmulas.
Un estilo de una sola página comienza desde el margen inferior del estilo de página actual hasta el siguiente salto de página. El próximo salto aparece automáticamente cuando el texto continúa en la siguiente página, que a veces se denomina un «salto de página suave». Alternativamente, se puede insertar un salto de página manual.
y - aplicar este fragmento al índice y al árbol de trabajo n - no aplicar este fragmento al índice y al árbol de trabajo q - quit; no aplicar este fragmento ni ninguno de los restantes a - aplicar este fragmento y todos los posteriores en el archivo d - no aplicar este fragmento ni ninguno de los siguientes en este archivo
La unidad de medida establecida en LibreOffice se usa para exportar a HTML las propiedades CSS1. Puede especificar unidades distintas para los documentos de texto y los documentos HTML, en Herramientas ▸ Opciones ▸ LibreOffice Writer ▸ General o Herramientas ▸ Opciones ▸ LibreOffice Writer/Web ▸ Ver. La cantidad de decimales exportados depende de la unidad.
Este sencillo ejemplo muestra el uso de expresiones regulares. Para que este ejemplo funcione como se pretende, seleccione activar las expresiones regulares enHerramienas - Opciones - LibreOffice Calc - Calcular. Con la tabla de base de datos de ejemplo anterior y esta área de criterios de búsqueda, inserte la fórmula =DCOUNT(A1:E10;;A12:A13) en una celda vacía en cualquier lugar de la hoja para contar cuántos de las visitas de Joe tienen nombres que empiezan por las letras "A", "B" o "C". Se devuelve el valor 3 (contando a Andy, Betty y Charles).
Una barra de error es una línea indicadora que se extiende sobre un intervalo x/y − valor_negativo_de_error hasta x/y + valor_positivo_de_error. En esta expresión, x o y es el valor del punto de datos. Al seleccionar la opción «Desviación estándar», x o y es la media de la serie de datos. valor_negativo_de_error y valor_positivo_de_error son las sumas calculadas por la función de barra de error o son proporcionadas explícitamente.
Deben especificarse tanto PRINCIPAL como SECUNDARIO cuando el TIPO es b, c ó u, y debe omitirse cuando el TIPO es p. Si PRINCIPAL o SECUNDARIO comienzan con 0x o 0X, se interpreta como hexadecimal; en caso contrario, si comienza con 0, como octal, en caso contrario, como decimal. TIPO puede ser:
Si quiere realizar ordenaciones o agrupamientos, abra la vista del Generador de informes y, a continuación, el cuadro de diálogo Ordenar y agrupar. Muestre la cabecera de grupo de los campos que quiera agrupar y oculte la cabecera de grupo de los campos que quiera ordenar. Cierre la ventana Ordenar y agrupar y ejecute el informe.
Aumentar la prioridad del proceso mejorará su experiencia de reproducción, pues permite a VLC no ser molestado por otras aplicaciones que de otro modo obtendrían demasiado tiempo de procesador. Aun así, le avisamos que en ciertas circunstancias (errores) VLC podría obtener todo el tiempo de procesador y dejaría bloqueado todo el sistema, lo cual puede requerir un reinicio de su máquina.
Seleccione un intervalo de una sola columna donde introducir la frecuencia según los límites de la clase. Debe seleccionar un campo más que el campo superior de la clase. En este ejemplo, seleccione el intervalo C1:C6. Active la función FRECUENCIA mediante el Asistente para funciones. Seleccione el intervalo Datos en (A1:A11) y, a continuación, el intervalo Clases en el que haya introducido los límites de la clase (B1:B6). Active la casilla Matriz y pulse en Aceptar. Aparecerá el conteo de la frecuencia en el intervalo C1:C6.
Normalmente el importador asumirá cada línea dentro del fichero de entrada corresponderá a una transacción. Cada línea puede tener información para una transacción y una o dos desgloses. Cuando está activado el Multi-desglose el importador asumirá múltiples líneas consecutivas juntas mantiene la información para una transacción. Cada línea proporciona información para exactamente un desglose. La primera línea debería proporcionar también la información para la transacción. Para saber cuáles líneas pertenecen a la misma transacción, el importador comparará la transacción provista dentro de cada línea. Si esa información está vacía o la misma como la primera línea de transacción el importador considerará esta parte de línea de la misma transacción.
LibreOffice maneja internamente los valores de fecha/hora como si fuesen valores numéricos. Si asigna el formato «Número» a un valor de fecha u hora, dicho valor se convierte en un número. Por ejemplo, 01/01/2000 12:00 PM se convierte en 36526,5. El valor anterior a la coma decimal corresponde a la fecha; el valor situado a continuación de dicha coma corresponde a la hora. Si no desea ver las fechas u horas con este tipo de representación numérica, cambie el formato según corresponda (fecha u hora). Para ello, seleccione la celda que contiene el valor de fecha u hora, abra su menú contextual y seleccione Formatear celdas. La pestaña Números contiene funciones para definir el formato numérico.
Hay una tabla en el intervalo de celdas A1:B6 que contiene una lista de materiales para diez estudiantes. La fila 2 (Bolígrafo) fue ocultada manualmente. Usted desea ver la suma de los valores mostrados; o sea, solo el subtotal de las filas filtradas. En este caso, la fórmula adecuada es:
El tipo de «hinting» que usar al renderizar tipografías. Los valores posibles son “none” para no usar «hinting» y “slight” para ajustarse sólo al eje Y como hacen ClearType de Microsoft, DirectWrite y las tipografías propietarias del motor de renderizado de Adobe. Ignora el «hinting» nativo de la tipografía, lo genera algorítmicamente. Usado en Ubuntu de manera predeterminada. Recomendado. El significado de “medium” y “full” depende del formato de la tipografía (.ttf, .otf, .pfa/.pfb) y la de la versión de FreeType instalada. Normalmente intentan ajustar los glifos a los ejes X e Y (salvo para .otf, donde sólo se aplica al eje Y). Esto puede provocar distorsiones y/o un renderizado inconsistente, dependiendo de la calidad de la tipografía, su formato y el estado de los motores de tipografías de FreeType.
El Editor de Basic ofrece las funciones de edición estándares con las cuales está familiarizado al trabajar con documentos de texto. Admite las funciones del menú Editar (Cortar, Eliminar, Pegar), la posibilidad de seleccionar texto con la tecla Mayús y las funciones de posicionamiento del cursor (por ejemplo, moverse de palabra en palabra con Ctrl y las teclas de flecha).
El estándar CMIS («Content Management Interoperability Services», ‘Servicios de Interoperatividad para la Gestión de Contenidos’) define un modelo de dominios y servicios web, así como un conjunto de vinculaciones para los protocolos REST y AtomPub, con el fin de habilitar una mayor interoperatividad entre los diferentes sistemas de gestión de contenidos empresariales (ECM). CMIS utiliza servicios web e interfaces Web 2.0 para permitir la compartición de datos a través de diversos protocolos de Internet en formatos independientes de proveedores, entre sistemas de documentos, editores y repositorios, al interior de una empresa y entre empresas.
LibreOffice puede cifrar documentos de manera confidencial a través de OpenPGP. Su documento se cifra mediante un algoritmo criptográfico que requiere una clave simétrica. Cada una de estas claves simétricas, conocidas como «claves de sesión», se utiliza solo una vez. Al enviar un documento cifrado, este debe ir acompañado de una clave de sesión para que los destinatarios puedan abrirlo. Para proteger la clave durante la transmisión, esta se cifra con la clave pública del destinatario. Únicamente la clave privada perteneciente al destinatario puede descifrar la clave de sesión.
Las imágenes interactivas de lado servidor se muestran al lector como una imagen o un marco en la página. Si pulsa sobre la imagen interactiva con el ratón, las coordenadas de la posición relativa se envían al servidor. Con la ayuda de un programa auxiliar, el servidor entonces determina el próximo paso que deberá seguirse. Hay varios métodos incompatibles para definir este proceso, pero los dos más habituales son:
Si la cadena es más corta que la variable de cadena, LSet alinea a la izquierda la cadena dentro de la variable. Cualquier posición que quede en la variable de cadena se sustituye por espacios. Si la cadena es más larga que la variable, sólo se copian los caracteres que se encuentran más a la izquierda hasta completar la longitud de la variable de cadena. Con la instrucción LSet también se puede copiar una variable definida por el usuario a otra del mismo tipo.
Insertar filasPermitir insertar filas incluso cuando la hoja está protegida. Tenga en cuenta que cuando las inserciones de filas están activadas, puede insertar filas incluso cuando el rango en el que se insertan las nuevas filas contiene celdas protegidas que se desplazarán después de la inserción. Las celdas de las filas recién insertadas heredan la propiedad de Protección del rango al que pertenecen: Cuando la nueva celda está dentro de un rango protegido está protegida, y cuando está en un rango no protegido, la celda no está protegida.
Modo (opcional) es un número o una referencia a una celda que contiene un número. La función solo usa Modo si tanto Número como Significatividad son negativos. Entonces, si se da Modo y no es igual a cero, los números se redondean hacia arriba (hacia cero); si Modo es igual a cero o no se proporciona, los números negativos se redondean hacia abajo (lejos de cero).
LibreOffice sugerirá automáticamente un intervalo de celdas siempre y cuando la hoja de cálculo contenga datos. Si el intervalo de celdas contuviere ya una función, podrá combinarla con la nueva para producir un resultado correspondiente a los datos del intervalo. Si el intervalo contuviere filtros, se insertará la función Subtotal en lugar de la función seleccionada.
Iniciando desde la primera línea que actualmente está importada cada segunda línea será omitida. Este parámetro también tomará las líneas almacenadas para descartar en cuenta. Por ejemplo * si «Líneas cabecera a Descartar» está fijada a 3, la primera línea a importar será la línea 4. Las líneas 5, 7, 9,... serán descartadas. * si «Líneas cabecera a Descartar» está fijada a 4, la primera línea a importar será la línea 5. Las líneas 6, 8, 10,... serán descartadas.
Esta extensión coloca copias de un objeto de patrón a lo largo de uno o más trayectos, sin deformarlo. El objeto de patrón debe ser un solo trayecto, o un grupo de trayectos, formas o clones. Debe ser el objeto superior en la selección. Todos los demás objetos seleccionados deben ser trayectos. También se puede colocar un conjunto de diferentes objetos (alternados os al azar) en el trayecto seleccionando la opción para elegir miembros del grupo.
En el caso de los cuadros combinados, los usuarios pueden seleccionar una entrada de la lista o escribir ellos mismos el texto. Las entradas que se ofrecen en la lista para que los usuarios las seleccionen pueden proceder de cualquier tabla de base de datos. Las entradas seleccionadas o escritas por los usuarios para que se guarden pueden guardarse únicamente en el formulario o en una base de datos. Si se guardan en una base de datos, se escribirán en la tabla en la que se basa el formulario.
En este ejemplo, el área de criterios de búsqueda contiene solo un título. Dado que hay dos condiciones en filas consecutivas, estas están conectadas por O (OR). Con la tabla de la base de datos de ejemplo anterior y esta área de criterios de búsqueda, inserte la fórmula =BDCONTAR(A1:E10;;B12:B14) en una celda vacía en otra parte de la hoja para contar cuántos de los invitados de Juan tienen 9 o 10 años. Se devolverá el valor 4 (contando a Andrés, Beatriz, Carlos y Henrique).
Ajusta la forma del objeto 3D. Solo se puede modificar la forma de un objeto 3D que se haya creado a partir de la conversión de un objeto en 2D. Para convertir un objeto 2D en 3D, seleccione el objeto, pulse con el botón secundario del ratón y seleccione Convertir ▸ En 3D o Convertir ▸ En cuerpo de giro 3D.
Dibuja una forma cerrada compuesta de segmentos rectos cuyos ángulos están restringidos a múltiplos de 45 grados. Pulse sobre la posición en la que desee iniciar el polígono y arrastre para dibujar un segmento. Vuelva a pulsar para definir el final del segmento y siga pulsando para definir el resto de segmentos del polígono. Pulse para completar el polígono. Para dibujar un polígono cuyos ángulos no estén restringidos a 45 grados, mantenga pulsada la tecla Mayús al hacer clic con el ratón.
Precisión_triangulación es opcional. Si se proporciona Precisión_triangulación y >=3, el resultado intermedio de una conversión triangular (moneda1,EUR,moneda2) se redondea a dicha precisión. Si se omite Precisión_triangulación, el resultado intermedio no se redondea. Además si A moneda es "EUR", Precisión_triangulación se utiliza como si se necesitase la triangulación y se aplicase la conversión de EUR a EUR.
Cuando el usuario navega por los datos, el formulario siempre muestra el registro de datos actual. Si se han definido subformularios, el contenido de los subformularios se muestra tras un retraso breve de 200 ms, aproximadamente. Este retraso permite examinar los registros de datos del formulario maestro. Si navega al registro de datos maestro siguiente dentro del intervalo de retraso, no hace falta recuperar ni ver en pantalla los datos del subformulario.
Al igual que en los documentos de HTML, puede decidir si para abrir archivos de imágenes en LibreOffice desea utilizar un filtro sin o con la información (LibreOffice Impress)" en el nombre. En el primer caso se abre el archivo como documento de LibreOffice Draw, en el segundo el archivo guardado con un antiguo StarDraw se abre en LibreOffice Impress, de forma que pueda utilizar el documento como referencia para una presentación.
Los marcos resultan útiles para diseñar la disposición de las páginas HTML. LibreOffice utiliza marcos flotantes. En ellos puede colocar objetos como imágenes, vídeos y sonidos. En el menú contextual de un marco aparecen las opciones para modificar o restaurar el contenido de los marcos. Si se selecciona el marco, algunas órdenes también aparecen en Editar ▸ Objeto.
Al introducir una referencia a una celda de cabecera dentro del área Base de datos Alternativamente, si la celda ha recibido un nombre representativo como intervalo con nombre o intervalo de base de datos, introduzca ese nombre. Si el nombre no coincide con el nombre de un intervalo definido, Calc emite el error #¿NOMBRE? Si el nombre es válido pero no corresponde a una sola celda, Calc emite el Err:504 (error en la lista de parámetros).
La tabla de base de datos de ejemplo que da información sobre los invitados a la fiesta de cumpleaños de Joe (descrita anteriormente) debe ocupar las celdas A1:E10. El contenido de las celdas A12:E12 debe ser idéntico al de las etiquetas de cabecera de la tabla de la base de datos en las celdas A1:E1. Asegúrese de que las celdas A13:E13 estén en blanco, excepto la celda C13 que debe contener "11" (este criterio de búsqueda coincidirá con los registros de la tabla de la base de datos que tengan un valor de 11 en la columna edad).
Referencia (lista de opciones) es la posición de la celda que se desea analizar. Si Referencia es un intervalo, la celda se desplazará a la esquina superior izquierda del intervalo. Si falta Referencia, LibreOffice Calc usa la posición de la celda en la que se encuentre la fórmula. Microsoft Excel usa la referencia de la celda en la que figura el cursor.
La tabla de la base de datos del ejemplo que nos da información sobre los invitados a la fiesta de cumpleaños de Juan (descrita anteriormente) debería ocupar las celdas A1:E10. El contenido de las celdas A12:E12 debe ser idéntico a las etiquetas de cabecera de la tabla de la base de datos en las celdas A1:E1. Asegúrese de que las celdas A13:E13 estén en blanco, a excepción de la celda D13 que debe contener ">600" (este criterio de búsqueda coincidirá con los registros en la tabla de la base de datos que tengan un valor superior a 600 en la columna Distancia).
En LibreOffice Basic no es necesario declarar las variables explícitamente. Las declaraciones de variables pueden realizarse con la instrucción Dim. Puede declarar más de una variable a la vez separando sus nombres mediante una coma. Para definir el tipo de variable, use un signo de declaración de tipo después del nombre o la palabra clave apropiada.
Aparece el cuadro de diálogo Formato de celdas. En la pestaña Números, la categoría «Número» aparece destacada. El formato establecido es «General», lo que hace que el resultado de efectuar cálculos entre fechas se muestre también como fecha. Si desea mostrar el resultado en forma de número, establezca el formato «-1,234» por ejemplo, y cierre el diálogo pulsando en el botón Aceptar.
