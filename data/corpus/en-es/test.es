Establece el formato y las opciones de impresión para todos los documentos de fórmulas nuevos. Dichas opciones se aplicarán al imprimir una fórmula directamente en LibreOffice Math. También se puede abrir este cuadro de diálogo mediante el botón Opciones de la ventana Imprimir. La configuración que defina en Herramientas ▸ Opciones serán permanentes, mientras que las del cuadro de diálogo Imprimir son válidas únicamente en el documento actual.
Para iniciar un pase de diapositivas a partir de la diapositiva actual, presione Mayús + F5.
Vida define el período durante el cual se amortiza un activo.
Campos de clave principal
La selección no tiene aplicado ningún efecto de trayecto.
Algunas herramientas y servicios admiten la integración de nuevos componentes. Puede encontrar más información en LibreOffice Developer's Guide. Los tres pasos principales son los siguientes:
La tabla siguiente muestra los tipos de objetos y las acciones que pueden producir una macro:
No se pudo leer la lista de fuentes
Cuando está activado, sólo los panel táctil que soporten el desplazamiento con dos dedos tendrán esta característica activada.
No hay instrucción o ausente el código operacional.
URI para la carpeta usada por última vez en el diálogo de selección de nombres
Para reparar la instalación, inicie el instalador desde el CD o la carpeta con los paquetes de instalación.
Preferencias generales de salida de emisión
Ausente nombre simbólico en la directiva
Para obtener una información más detallada referente a los filtros, consulte Información sobre los filtros de importación y exportación.
Indica si la acción es considerada importante. Cuando sea TRUE (verdadero), los proxies del elemento toolitem muestran texto en el modo GTK_TOOLBAR_BOTH_HORIZ.
Define la posición Y del control, relativa al ancla.
Además, puede pulsar en el icono Fórmula de la barra de fórmulas y, a continuación, seleccionar una función para su fórmula.
La asignación de recursos locales ha fallado
ejecutar tareas basadas en el estado del repositorio
Pulse en el botón Editar correspondiente a algunas entradas en Herramientas ▸ Opciones ▸ LibreOffice ▸ Rutas.
parámetros DH no válidos: p no es primo
GdkWindow de la que recibir los eventos
A continuación, pase a la pestaña Condición y seleccione el campo Como estilo condicional para definir el estilo de párrafo nuevo como estilo condicional.
Puede ver el pequeño diálogo Grabar macro con un solo botón, Finalizar grabación.
=MODA.VARIOS(A1:A50)
Si desea utilizar un ancho de columna fijo para separar los datos importados en las columnas, pulse en la regla para determinar el ancho de la columna.
Para comentarios en una macro.
timestamptz fuera de rango
Activar los trayectos de deformación superior e inferior
Seleccione su interfaz de usuario predilecta
Previsualiza gráficos animados, como las imágenes GIF.
Activa la eliminación de código muerto condicional para llamadas internas.
TRUE si la ventana no debe estar en la barra de tareas.
Para eliminar un salto de página manual
Coordenada X del punto objetivo en la matriz de convolución. Se aplica la convolución a los píxeles alrededor de este punto.
Si el documento contiene más de un script, el diálogo Editar script contiene los botones anterior y siguiente para ir de un script a otro.
Empaquetador de audio PCM lineal
El final del intervalo del valor donde se han de sumar las probabilidades.
Mayúsculas
Verifique que su archivecommand se esté ejecutando con normalidad. Puede cancelar este respaldo con confianza, pero el respaldo de la base de datos no será utilizable a menos que disponga de todos los segmentos de WAL.
Rutas internas
Añada todos los destinos que desee aplicar en el documento y pulse en Aceptar. Se abrirá el documento en LibreOffice Draw con todos los destinos automáticamente testados mediante la herramienta Censura con rectángulos.
Seleccione una dirección.
Basura encontrada al final de client-final-message.
La acción de radio a cuyo grupo pertenece esta acción.
También puede escribir el texto que se mostrará como ayuda emergente al situar el puntero del ratón sobre la zona activa.
El intervalo de entrada tiene etiqueta
Cambiar nombre de diapositiva
Un simple - implica -i. Si no hay ORDEN, muestra el entorno resultante.
la llamada gimple no tiene objetivo
no se pudo escribir índice
Puede optar por conservar o eliminar las macros VBA.
array_2d: La matriz preexistente puede estar vacía. Si esa matriz tiene 1 dimensión, se considera como la última columna de la matriz de 2 dimensiones resultante.
los nombres de columna no pueden ser incluidos en GRANT/REVOKE ROLE
Este efecto, también conocido como «pantalla verde» o «clave cromática» mezcla las «partes azules» de las imágenes en primer plano del mosaico con el fondo (como en las predicciones del tiempo). Puede seleccionar el color «clave» para mezclar (azul de forma predeterminada).
=IM.REAL("1+3j") devuelve 1.
Convertir tabla en texto
Determina la distancia mínima entre un símbolo y una variable.
Tras oprimir la tecla Intro verá el resultado en formato de fecha. Puesto que lo que se desea es ver la diferencia entre dos fechas en número de días, deberá asignar a la celda A3 el formato de número.
La posición de la línea base de los widgets alineados si hay espacio adicional disponible
Mediante el filtro de importación Consulta de páginas Web (LibreOffice Calc), puede insertar tablas de documentos HTML en una hoja de cálculo de Calc.
debe ser superusuario para crear usuarios de replicación
el origen para un UPDATE de varias columnas debe ser una expresión sub-SELECT o ROW ()
Consulte también: Opcional
se esperaba un dígito hexadecimal o «}»
Vaya a Herramientas ▸ Búsqueda del valor de destino.
No se puede cortar este desglose.
Vaya a Herramientas ▸ Opciones. Navegue a Configuración de idiomas ▸ Idiomas.
Hora de Alaska - cuello panhandle de Alaska
El fichero no es un fichero de caché.
Los nombres de versión no deben ser vacíos.
Vaya a Formato ▸ Leyenda o pulse dos veces sobre la leyenda. Verá el cuadro de diálogo Leyenda.
Valor lógico 1, valor lógico 2,… son condiciones que se pondrán a prueba y que pueden devolver VERDADERO o FALSO.
Indica el formulario lógico en el que se desea realizar la búsqueda.
Eliminar asignación de diapositiva maestra
Escriba el número del registro que desee insertar cuando la condición que especifique se cumpla.
Alternativas verticales y giro
Tamaño de área Opcional 0 - predeterminado min - 16 max - 65535
Defina el tamaño de papel que quiera emplear. La previsualización mostrará cómo luciría el documento al plasmarse en el papel de la medida que indique.
Permitir animación de texto
Añade el centro del objeto proyectado
Usa las instrucciones de redondeo de coma flotante de PowerPC V2.02.
Macros de la aplicación: macros de sistema distribuidas con LibreOffice para todos los usuarios del equipo
Muestra los nombres de los formatos guardados actualmente.
La familia de direcciones para el nombre de `host' no está soportada
No se pudo escuchar en el socket
Diferencia QP entre croma y luma
El sistema de ficheros no permite cambiar el tamaño en línea
Aplica el formato seleccionado en la Lista de formatos definidos por el usuario.
Modo de selección de celdas
Hora estándar de Montaña - Dawson Creek & Fort Saint John, British Columbia
Ha ocurrido un error de interpretación, lo que significa que probablemente esté trabajando con un archivo que no cumple con SVG. Se han encontrado los siguientes errores:
el argumento debe tener tipo complejo
Convierte una expresión numérica en una cadena y, a continuación, le da el formato que se especifique.
Incluye las etiquetas de fila en el área de etiquetas actual.
Independientemente de si utiliza DEPS o SCO, comience yendo a Herramientas ▸ Solver e indique la celda que se debe optimizar, la dirección de avance (minimización, maximización) y las celdas que se deben modificar para alcanzar el objetivo. Luego vaya a las Opciones, especifique el tipo de Solver que se usará y, finalmente, ajuste los parámetros, si fuera necesario.
Para dividir las palabras del texto de forma manual en una selección
Devuelve la distribución de Poisson.
Abre el diálogo Ver certificado, en el que puede examinar el certificado seleccionado.
En LibreOffice Writer, es posible almacenar texto (que puede incluir imágenes, tablas y campos) como AutoTexto, de modo que pueda insertarlo más adelante. Si lo desea, también puede almacenar texto con formato
Inserta un salto de columna (salto de página vertical) a la izquierda de la celda activa.
Lineas y columnas. Los rectangulos de las series de columnas de datos son puestas lado a lado para que puedas comparar los valores fácilmente.
Vaya a Editar ▸ Pegar. El intervalo de celdas se pegará como un objeto OLE. Para editar el contenido de las celdas, pulse dos veces en el objeto.
Para visualizar días, meses y años, utilice los siguientes códigos de formato numérico.
Rotar por las pistas de subtítulos disponibles en orden invertido.
… el campo contiene un valor de datos comprendido entre los valores X y Y.
Inserta el nombre y apellido enumerados en los datos de usuario de LibreOffice en la diapositiva activa.
La fecha de última modificación de la publicación. El valor de esta propiedad debe ser una fecha escrita de conformidad con la sección «dateTime» de la especificación XML Schema: CCYY-MM-DDThh:mm:ssZ. De manera predeterminada, el valor corresponde a la fecha y la hora en que se abrió el cuadro de diálogo de exportación.
Nivel
Controle con precisión las transformaciones de los objetos
En la barra de herramientas de dibujo, abra las herramientas de Curvas y seleccione línea a mano alzada.
Seleccione la dirección de escritura que quiera utilizar en el documento. La dirección de flujo de texto «De derecha a izquierda (vertical)» gira 90 grados a la derecha todos los parámetros de disposición, salvo las cabeceras y los pies de página.
Avisa sobre conversiones que descartan calificadores.
Permite usos no conformes del carácter tabulador.
Ordenar por día de asiento
A partir de este texto se ha de encontrar el código del primer carácter.
Cuando está marcada, indica que desea conservar el formato numérico del formato seleccionado.
Las restricciones de permisos del documento establecidas por contraseña solo serán acatadas por aquellos lectores de PDF que cumplan con la versión 1.5 del formato. Así pues, en los lectores de PDF más antiguos, las restricciones pueden no surtir efecto ninguno.
Calcula el promedio de los argumentos.
No se permiten las cadenas ni las matrices.
No se puede localizar el dispositivo del fichero de transacciones. NO se eliminó Utilice la opción -f para eliminar el dispositivo del fichero de transacciones perdido.
Añadir el icono de parada crítica al cuadro de diálogo.
Error en el código Nyquist
Cambiar patrón de diapositivas
operando no válido para el modificador 'A'
Efecto cromado con bordes oscurecidos
A continuación se muestra una lista completa de los atributos disponibles en LibreOffice Math. Un icono próximo al nombre del atributo indica que puede accederse a este a través del panel Elementos (vaya a Ver ▸ Elementos) o a través del menú contextual del cuadro Órdenes.
Paleta usada en el selector de color como se define en la configuración «gtk-color-palette»
Seleccionar el archivo de subtítulos
Cifras romanas (mayúsculas)
Ejecutar esta acción ahora…
Añade un renglón nuevo.
Si E2 = pen, la función devuelve 1, porque el enlace a la celda se sustituye por su contenido y funciona como la función anterior.
Indique si la plantilla ha de crearse para una carta personal o comercial.
Copia un archivo.
Error interno de sintaxis (en vez de Err:521 la celda muestra #¡NULO!)
Confirmar un proceso de eliminación (de registros de datos),
La leyenda muestra las etiquetas de la primera fila o columna, o bien del intervalo que se haya establecido en el cuadro de diálogo Serie de datos. Si su gráfico no contiene etiquetas, la leyenda muestra texto como «Fila 1, Fila 2…» o «Columna 1, Columna 2…», en función del número de fila o de la letra de columna de los datos del gráfico.
Subtotal secundario para clave de fecha
Fanega estadounidense
En los formatos indicados, el número de decimales después de la coma se indica en forma de número. Ejemplo: el formato numérico #.##0,0 devuelve ,1, y el formato numérico 00,000% devuelve P3
las macros variadic anónimas se introdujeron en C++11
Un punto de la rueda desplaza esta distancia en píxeles (en horizontal con Mayús)
Recorta un píxel de la parte superior del vídeo
Escriba el texto que quiere mostrar para el hiperenlace.
referencia los snapshots para seleccionar los commits de bitmap
¿Quiere clasificar una serie en LibreOffice Calc tipo «A1, A2, A3, A11, A15», no por orden alfabético, sino según el número? Active el orden natural en la pestaña Opciones.
LF o CRLF
Seleccione el nivel de esquema en el que desea reiniciar la numeración en el cuadro Nivel.
Matriz 2 representa la segunda matriz con el mismo número de filas.
el «frame» que se inicia desde la fila siguiente no puede tener filas precedentes
Configurar conexión de ODBC
aFrecuencia alta indefinida.
Buscando una versión existente de esta tarea
Mueve el cursor al comienzo del contenido de la celda actual. Pulse de nuevo para mover el cursor a la primera celda de la tabla. Pulse de nuevo para mover el cursor al comienzo del documento.
no se puede leer el directorio `info'
posiblemente el método carece de una llamada [super dealloc]
DIAS.LAB.INTL
Enumera en la consola los parámetros de línea de órdenes disponibles.
no se puede mover objetos hacia o desde el tablespace pgglobal
Si es TRUE los usuario pueden redimensionar la ventana
El tipo de aceleradores
El cursor directo permite pulsar sobre cualquier área en blanco de una página para situar texto, imágenes, tablas, marcos y otros objetos.
Abre el cuadro de diálogo Tarjetas de visita para definir las opciones de las tarjetas de visita y, a continuación, crea un documento de texto nuevo en LibreOffice Writer.
Mantener los paquetes siguientes en la versión actual:
Calcula el valor de un número romano.
La función de censura efectúa una testadura de todas aquellas palabras o porciones de un documento que sean delicadas, en aras de producir un documento de uso o visualización autorizadas.
Debe especificar el mismo tamaño de ventana para los pasos 1 y 2.
Marco interactivamente
Lista de métodos en el servicio String
Subrayado (punto-trazo, grueso)
No usa la instrucción callt (predeterminado).
Correo
subíndice jsonb debe ser coercible ya sea para integer o para text.
La biblioteca ScriptBindingLibrary contiene diálogos únicamente y la utilizan las secuencias de ejemplo Highlight de LibreOffice. Sus diálogos los reutilizan las secuencias de ejemplo para Beanshell, Java y JavaScript.
Devuelve la distribución t.
Muestra una lista de las bases de datos que se han registrado en LibreOffice.
Ventana de vídeo X11 (XCB)
Tipo de mensaje
¿Confirma que quiere borrar la transacción seleccionada?
El asistente para combinación de correspondencia le ayuda a crear cartas modelo.
ESFORMULA
Seleccione una imagen para ser usada como entrada.
Mes (opcional) indica la cantidad de meses para el primer año de amortización. Si no se indica nada, se usa el valor 12 como predeterminado.
Si desea crear un nuevo conjunto de símbolos, escriba un nombre para él en el cuadro de lista Conjunto de símbolos y añada al menos un icono. Pulse Aceptar para cerrar el diálogo. El nuevo conjunto de símbolos está ahora disponible con el nuevo nombre.
Seleccione el color de los valores negativos
Esto significa que el respaldo que estaba siendo tomado en el standby está corrupto y no debería usarse. Active full_page_writes y ejecute CHECKPOINT en el primario, luego trate de ejecutar un respaldo en línea nuevamente.
Los listados funcionan con referencias. Estas pueden implementarse con tablas enlazadas a través de instrucciones SQL (cuarto caso) o a través de listas de valores:
Una clave principal actúa como identificador exclusivo de campos de bases de datos. La identificación exclusiva de campos de bases de datos se emplea enbases de datos relacionales para poder acceder a los datos de otras tablas. Si una referencia a una clave principal se efectúa desde otra tabla, se denomina clave externa.
Abre el cuadro de diálogo Personalizar, donde puede asignar la macro seleccionada a una orden de menú, una barra de herramientas o un evento.
Columnas visibles en la vista de lista
Puede dejar abierto el diálogo Insertar una entrada de índice mientras selecciona e inserta entradas.
Combinar delimitadores
Importar archivo de Microsoft Multiplan para DOS
Utiliza la biblioteca C de Bionic.
no se puede finalizar pack-objects para reempaquetar objetos promisores
Puede usar esta opción para colocar los subtítulos bajo la película, en vez de estar sobre la película. Pruebe varias posiciones.
Los resultados de las aplicaciones contenidas en esta lista se mostrarán en el orden especificado. Los resultados para las aplicaciones no especificadas en esta lista se mostrarán al final, ordenadas alfabéticamente.
Se muestran flechas de rastreo en la hoja. Simultáneamente el área de las celdas contenidas en la fórmula de la celda actual queda destacada con un marco azul.
Mostrar icono en el área de notificación para VLC
En el cuadro combinado Tabla, seleccione la tabla de la base de datos que desee usar como libreta de direcciones.
Basura a continuación de la palabra «empty».
Número de buffers de audio
Permite usar las herramientas para personas discapacitadas, como lectores externos de la pantalla, dispositivos de reconocimiento de la voz o de Braille. El entorno de ejecución de Java (JRE) debe instalarse en el equipo antes de activar las tecnologías asistivas.
El intervalo que se ha de evaluar según los criterios dados.
En la fila debajo de una fila de encabezado, puede avanzar de una celda a la siguiente con la tecla Tab. Después de especificar el valor en la última celda de la fila actual, pulse Intro. Calc coloca el cursor debajo de la primera celda del bloque actual.
Rol del dispositivo en el gestor de dispositivos
Posición X
Tamaño del paquete TS a cifrar. Las rutinas de cifrado eliminan el encabezado-TS del valor antes de cifrar.
Mostrar/ocultar detalles acerca de un mesanje de traza
encontrar el color configurado: slot [default]
Especifique el formato de las entradas en un Índice de tablas.
Indica si esta etiqueta afecta el color de fondo del parágrafo
Alinear la selección horizontalmente al centro.
Muestra un indicador en un diálogo en el que el usuario puede introducir texto. La entrada se asigna a una variable.
esperaba coma tras modo registro
setx: el registro temporal es el mismo que el registro destino
Error al bloquear la carpeta temporal
Calcula el interés efectivo para un interés nominal del 5 % con 12 pagos anuales.
Para ocultar una sección
Devuelve los resultados de coma flotante en ac0 (fr0 en sintaxis de ensamblador Unix).
Necesita autenticarse para que una aplicación retrase el apagado del sistema.
Cuando crea un control nuevo, la descripción que se predefine en la propiedad «Nombre» se utiliza como etiqueta predeterminada del control. La etiqueta se compone del nombre del control y un número entero (por ejemplo, Botón1). Con la propiedad «Título», puede asignar otra descripción al control, de tal modo que la etiqueta refleje la función del control. Cambie esta entrada para asignar una etiqueta significativa al control, la cual se mostrará a los usuarios.
Opacidad de ventanas entre 0.1 y 1
Hora del este - Kentucky - Condado de Wayne
Página wiki FIN.MES
En la barra de herramientas de la ventana Ayuda, pulse en el símbolo de la izquierda para mostrar u ocultar el panel de navegación.
Incluye números de página en la plantilla de la carta.
Aviso: la escritura del fichero fue lenta: se reescribe la marca de tiempo
Añadir una dirección de correo-e a la lista
No hay ninguna descripción disponible para esta macro.
Crea un objeto UNO. En Windows, también puede crear objetos OLE.
Seleccione la fuente de entrada de vídeo, como compuesta, s-video o sintonizadora. Desde que estas preferencias son específicas del hardware, debe buscar configuraciones buenas en el área de «Configuración de dispositivo» y usar esos números aquí. -1 significa que las preferencias no se cambiarán.
el tipo de devolución puede ser un candidato para un atributo de formato
valores de multirango no pueden contener miembros nulos
Máscara difuminada del borde sin alterar su contenido
valor fuera de límite
Vaya a Ver ▸ Elementos; luego, en el cuadro de lista del panel Elementos, seleccione Funciones.
Abra un documento de texto, inserte dos tablas y escriba números en algunas celdas de ambas tablas.
Configuración para
Número de colas de mensajes
mientras se revisaba el bloque MMP
Rehusando eliminar el directorio de trabajo actual
Filas es el número de filas en que se corrigió la referencia hacia arriba (valor negativo) o hacia abajo. Se usa 0 para permanecer en la misma fila.
Establezca las propiedades del degradado y pulse en Modificar para guardar el degradado.
Fecha de liquidación: 31 de marzo de 1999, fecha de vencimiento: 1 de junio de 1999, descuento: 9 por ciento.
Si una expresión SQL es la base de un formulario (ver Propiedades de formulario ▸ pestaña Datos ▸ Origen de datos), las funciones de filtro y ordenación solo estarán disponibles cuando la expresión SQL se refiera solo a una tabla y no esté escrita en el modo SQL nativo.
Al insertar una hoja de cálculo en la diapositiva, los cambios efectuados en el archivo original de la hoja no se actualizan en la diapositiva. Sin embargo, puede efectuar cambios en la hoja de cálculo en la propia diapositiva.
La contraseña es incorrecta. No se puede abrir el documento.
A la sentencia CASE le falta la parte ELSE.
alistamientos de Scalar requieren un árbol de trabajo
Especifica que desea que se seleccione un campo de opción de forma predeterminada después de abrir el formulario. Elija el campo de opción en el marco.
Editar zonas de impresión
Reemplaza una biblioteca que tenga el mismo nombre con la biblioteca actual.
Vaya a Herramientas ▸ Macros ▸ Configuración de filtros XML.
La ruta de instalación no es válida.
Especifica la configuración de impresión en un documento de dibujo o presentación.
LibreOffice dibuja una serie de formas intermedias entre dos objetos seleccionados y agrupa el resultado.
Escriba información adicional sobre la empresa.
Anchura, en píxeles, de la línea indicadora del foco
Duración y fin de la selección
El archivo compartido debe situarse en un lugar que sea accesible para todos los colaboradores.
Atajos de teclado para las tablas en LibreOffice Writer
Las instrucciones siguientes controlan la ejecución de un programa.
Transpone las filas y las columnas de una matriz.
Ejemplos (con el tamaño básico 12 y 50 % para los índices):
Biblioteca EXT2FS versión 1.46.5
Por ejemplo, si hay dos controles para las opciones «femenino» y «masculino» y se asigna un valor de referencia de 1 al control «femenino» y de 2 al control «masculino», se transmitirá al servidor el valor 1 si un usuario pulsa en el control «femenino» y el valor 2 si pulsa en «masculino».
Edad
Vuelva a escribir la contraseña maestra.
Un subformulario es un componente adicional del formulario principal. El formulario principal se puede denominar «formulario primario» o «principal». Los subformularios hacen falta en cuanto se desea acceder a más de una tabla de un formulario. Cada tabla adicional necesita su propio subformulario.
Falló al descargar los mensajes para trabajar sin conexión
Espaciado en píxeles entre el icono y la etiqueta
Guía de uso del Control remoto de Impress
demasiados argumentos para una operación de renombramiento
La desviación típica usada para la escala.
Elija el elemento que quiera mostrar en el documento y, a continuación, pulse en Aceptar.
Intercambiar PF en la dirección X entre «finito» e «infinito» (=paralelo)
Puede entrar formulas en varios maneras: con los iconos, teclear en el teclado o una mezcla de ambos maneras.
La barra de herramientas contiene funciones importantes para controlar el sistema de ayuda:
Seleccione Formato ▸ Línea y pulse en la pestaña Estilos de línea.
Establece el valor de una preferencia concreta.
Inserta el operador lógico flecha con barra doble hacia la derecha con dos operadores. También puede escribir drarrow en el cuadro Órdenes.
Devuelve la depreciación de un activo en un período especifico o parcial según el método geométrico decreciente.
JALX para un símbolo dentro del mismo modo ISA
Definición de colores personalizados
Tipos de variables
El asistente almacena las configuraciones actuales y presenta las opciones seleccionables del paso siguiente. Este botón se vuelve inactivo en la última página del asistente.
el autor del commit soy yo ahora (usado con -C/-c/--amend)
Para eliminar el contenido de una tabla, pulse en la tabla, oprima Ctrl + A hasta haber seleccionado todas las celdas y, a continuación, oprima Supr o Retroceso.
Consulta demasiado compleja
Desde el extremo inferior de la celda
En todos los campos de selección del idioma en LibreOffice, se aplica lo siguiente:
Directamente desde el Gestor de extensiones
muestra las fechas/horas de modificación de los ficheros en UTC
Lista de métodos en el servicio Database
A los márgenes de página
Crear escenarios personalizados
Diapositiva siguiente sin efectos
Rellena el objeto con el color que se seleccione aquí.
La función de distribución utilizada para generar los números aleatorios.
Advertencia: ¡sólo hemos visto un mensaje firmado con esta clave e identificador de usuario!
Desactive esta opción para considerar todas las correspondencias de mayusculación posibles. Por ejemplo, introducir «a» en el cuadro Buscar encontrará tanto «a» como «A».
La numeración de capítulos se obtiene asignando estilos de párrafo a los niveles de esquema y un modelo de numeración para cada nivel del esquema. Los estilos de párrafo «Título» (1-10) se asignan de manera predeterminada a los niveles de esquema correspondientes (1-10). El cuadro de diálogo le permite asignar estilos de párrafo diferentes a cada uno de los niveles del esquema.
Activa el modo de ahorro de energía cuando la batería está baja.
No existe la base de datos para la tabla
fallo al analizar el tamaño de página
No se puede importar la conexión VPN
Seleccione el nombre abreviado de un registro bibliográfico que quiera insertar.
Inserta un nuevo módulo en la biblioteca actual.
Convertir el texto de los correos a Unicode
Redondea un número, acercándose al cero, al múltiplo más próximo del valor absoluto de la significatividad. Esta función existe por motivos de interoperatividad con Microsoft Excel 2007 o versiones anteriores.
Tipo de objeto
Indique el ángulo de giro contrario a las agujas del reloj para las etiquetas de datos.
Muestra los botones previos y siguiente en la ventana principal
El valor que se calculará.
anchura de campo en formato strfmon
Modifica la alineación del título del gráfico.
Aceptar todos los cambios rastreados
Vaya a Ver ▸ Tabla de datos del gráfico (gráficos)
C0 - C15 se esperaban
Si la lengua que busca no aparece en el cuadro de lista, vea «Añadir más idiomas de interfaz».
Seleccione la base de datos que contenga los datos de la dirección que desee insertar.
Deletrear con mayúsculas iniciales inglesas como cardinal: 101 → Ciento Uno
Define los elementos del fax que se deben imprimir.
Clonación exitosa, pero falló el checkout. Puedes inspeccionar a qué se hizo checkout con 'git status' y volver a intentarlo con 'git restore --source=HEAD :/'
Período es el número de períodos para los cuales se quiere calcular la depreciación.
Si el posible que el código QR se emborrone, o se limite la legibilidad de otra forma, elija un nivel de corrección de error alto. El uso de niveles de corrección altos significa que el texto que se puede codificar debe ser más corto.
cambia el número de sectores adicionales por cilindro
Nivel modo megagraves (de 0 a 100, por defecto 0).
Cter.: combinación activada
no coincide la opción específica del objetivo
Blanco
Especifica las respectivas etiquetas de los campos de opción. La etiqueta del campo de opción se mostrará en el formulario. Esta entrada corresponde a la propiedad Etiqueta del campo de opción.
no admitió utilización de .ehword
misma semana y día
Símbolo de correspondencia original de
Cuenta las palabras y los caracteres, con o sin espacios, en la selección actual y en el documento entero. El recuento se mantiene actualizado a medida que escribe o modifica la selección.
Factor por el que se desvía en reloj de eventos desde la hora actual (0.9766 en algunos sistemas).
Pestañas personalizadas para este texto
Text se refiere al texto cuyos espacios se han de eliminar.
Permitir el dibujado de filas con colores alternativos
En Microsoft Word y en las versiones actuales de Writer, el contenido de las cabeceras y los pies de página y el de las notas al pie o notas finales no se ajusta alrededor de los objetos flotantes en pantalla. El cuerpo de texto se ajusta alrededor de objetos flotantes en pantalla anclados en la cabecera de la página.
Mueve el cursor al final del contenido de la celda actual.
no se puede leer el ACK de invalidación
Debe introducir una cantidad de «destino» válida.
¿Desea guardar el proyecto antes de cerrar?
Cómo aplicar un estilo de párrafo
A continuación se indican de forma general las distintas formas de proteger los contenidos de LibreOffice contra modificaciones, supresiones o visualizaciones.
La sincronización a disco se ha omitido. El directorio de datos podría corromperse si el sistema operativo sufre una caída.
Buscar paréntesis
Escriba el número máximo de renglones que desee en una página.
Manipulador no válido a PrintDlgEx
Para definir una transición de colores para las monedas, seleccione colores distintos en los cuadros Inicio y Fin. El color de Inicio se aplicará al objeto que está duplicando.
Los números de línea deben ser enteros positivos
No se puede determinar el HEAD remoto
Seleccione la disposición del bloque de dirección que quiera utilizar.
Desde el medio, turquesa
Diríjase a Formato ▸ Celdas. Verá el cuadro de diálogo Formato de celdas.
No se pudo pegar el contenido del portapapeles.
Posición a la que se añadira el trayecto inicial
contenedor para particiones lógicas
Mostrar sólo esta lista de notas
Leer de la entrada estándar y guardar
Enumera las columnas de la base de datos que ha seleccionado para su inserción en el documento. Aquí además se puede escribir texto. El texto también se insertará en el documento. El orden de las entradas en el campo de selección equivale al orden de datos del documento.
Para definir un estilo de página nuevo
Tienes cambios fuera de un commit en tu árbol de trabajo. Por favor, realiza un commit con estos primero y luego ejecuta 'git rebase --continue' de nuevo.
Iconos adicionales
Color de línea
Restablecer
uso de una constante entera long long C++11
Muestra la expresión de la fórmula de la celda en vez del resultado calculado.
Hojas
Extensión QUICKRoT 64-bit no aplicable a esta instrucción
Muestra la condición que se debe cumplir para que se active el campo. Si lo desea, escriba una condición nueva.
no se pudo adjuntar al segmento de memoria compartida dinámica
Límite inferior con variable debajo
Continuo
Usa Mnemónicos-P para ramificaciones predichas estáticamente como tomadas.
no se encuentra CRL para el certificado
NT_ARM_VFP (registros VFP de arm)
Especifica la secuencia de los elementos seleccionados, donde «0» corresponde al primer elemento. Para seleccionar más de un elemento, la opción Selección múltiple debe estar activada.
variable indefinida en TY
Expresión1, Expresión2: Las expresiones numéricas que se desea combinar.
Pulse en el punto del documento en el que debe situarse el principio de la línea. Mantenga pulsado el botón del ratón y arrastre hasta el punto en el que desee finalizar la línea. Si mantiene también pulsada la tecla Mayús, sólo podrá dibujar líneas horizontales, verticales y diagonales.
Consulte también: Función LTrim
Emitir objeto (blob o árbol) con conversión o filtro (independiente, o con batch)
Guardando cambios en la lista de notas. Espere…
Esta función TimeValue devuelve el tipo Variante con VarType 7 (Fecha) y almacena este valor internamente como número de precisión doble entre 0 y 0,9999999999.
LibreOffice Calc encontró un error en la fórmula introducida.
Bibliotecas
Values(): una matriz de flujos de caja que representa una serie de pagos y de ingresos, donde los valores negativos se tratan como pagos y los positivos como ingresos. Esta matriz debe contener al menos un valor negativo y uno positivo.
Rellena el espacio dejado por las celdas borradas con las celdas situadas debajo de ellas.
Clases representa la matriz que contiene los valores de límite.
Crea una carpeta nueva para almacenar correo
Bordes personalizables en celdas
Filtra la salida de nroff para previsualización en CRT.
Para ejecutar el Asistente para origen de datos de direcciones, seleccione Archivo ▸ Asistentes ▸ Origen de datos de direcciones.
Información del documento
Introduzca un valor de desvío para la línea 2.
Importación y exportación de Ogg Vorbis
Para cambiar el orden de los subdocumentos de un patrón, arrastre un subdocumento a una ubicación nueva en la lista del Navegador. También puede seleccionar un subdocumento de la lista y pulsar en los iconos Bajar o Subir.
Otros
Seleccione el atajo de teclado para hacer un salto muy corto atrás.
Nota: El tamaño del icono debe ser de 16 × 16 píxeles para obtener la mejor calidad. Los iconos con tamaños distintos se redimensionarán automáticamente.
Desempaquetar objetos de una crónica empaquetada
Pulse en el icono Bordes de la barra de herramientas Tabla (Writer) o la barra Líneas y relleno para abrir la ventana Bordes.
La etiqueta asignada no es una etiqueta objetivo
Color de fondo del escritorio que rodea a las páginas
Pulse allí donde quiera insertar el archivo.
En LibreOffice, se pueden integrar bases de datos SQL externas. Se pueden ubicar tanto en el sistema local como en red. El acceso se consigue mediante ODBC o un Native Driver integrado en LibreOffice .
falta el operando numérico $ en el formato
Formato ▸ Celdas ▸ Alineación
Si marcas o desmarcas una combinación de casillas de verificación que no se ha dado por esquema Simple o Realista, creas un esquema personalizado.
Si quiere aplicar una fórmula a todas las celdas de un área seleccionada, utilice el cuadro de diálogo Buscar y reemplazar.
Error: la longitud es menor que la longitud de un registro EMH
Seleccione esta opción para crear una base de datos nueva. Esta opción utiliza el motor de bases de datos HSQL con la configuración predeterminada. A continuación aparece la página final del asistente.
Usa instrucciones madd/msub de enteros.
Id entero (N) de la instrucción personalizada fixdu.
El texto entrecomillado no empieza por un signo de comilla
Falló al escribir la tabla hash
demasiados argumentos para %%:compare-debug-dump-opt
Valor_alternativo es el valor o expresión que se devolverá si la expresión o valor de Valor no es equivalente o si produce un error «#N/D».
Usa la biblioteca de C de uClibc.
Épsilon posterior
el número de resultados de la función no cuadra
La configuración de los márgenes está fuera de la zona imprimible. ¿Quiere aplicar esta configuración de todos modos?
Si es cierto, la barra de herramienta de edición será visible.
Abrir audio en modo exclusivo.
A menudo, este error se produce por una configuración de conjunto de caracteres inapropiada para el idioma de la base de datos. Revise esta configuración en Editar ▸ Base de datos ▸ Propiedades.
Crea un archivador zip que contiene todos los PDFs o PNGs de todas las diapositivas de una presentación JessyInk.
Muestra información sobre los usuarios que están actualmente conectados.
Grosor de los cursores, en píxeles
No se ha encontrado ninguna interfaz de reloj utilizable.
Si el número complejo es en realidad un número real (b=0), entonces puede ser o una cadena o un valor numérico.
Seleccione el área de datos de una hoja de cálculo junto con los títulos de fila y de columna.
Punto de unión central vertical
Diríjase a Insertar ▸ Más saltos ▸ Salto manual. Se abre el cuadro de diálogo Insertar salto.
tipo inválido para de conjunto de literales
Patrón de Ajuste de Apuntes es expresión regular
Cerrar previsualización
Escriba una altura para el símbolo.
También puede escribir el texto de atajo de una entrada de texto automático y, a continuación, oprimir F3. Asimismo, puede pulsar en la flecha que hay junto al icono Texto automático de la barra Insertar y, acto seguido, seleccionar una entrada de texto automático.
Es una reunión.
Si continúa, la información de la cuenta y toda la información del proxy se eliminará permanentemente.
Esta Cuenta contiene Transacciones. Cambiando esta opción no es posible.
Intentando la extracción de enlaces simbólicos como enlaces duros
subíndice jsonb debe ser coercible solo para un tipo, integer o text.
El valor que debe encontrarse en la primera columna.
No se proporcionó ninguna orden de SQL.
activa avisos desde groff
Guardar configuración de boletín como...
Avisa sobre funciones que pueden ser candidatas para __attribute__((const)).
Aquí se pueden escribir los caracteres a–z y 0–9. Si se escribe una letra minúscula, se convertirá automáticamente en una mayúscula
Indica si el icono de estado está empotrado
Método para calcular el filete o el chaflán
Borra la instancia actual. No es posible borrar la última instancia.
Actualizar la lista de calendarios de la cuenta
Establezca las propiedades de la capa nueva.
Fase
¿Está seguro de que quiere enviar el mensaje?
Debe seleccionar un vínculo antes de asignar un atajo de teclado
Guardar el contenido de una variable luego de salir de una Sub, una Function o una Property
emisión no en operando de memoria origen
Hoja de Balance a columna única
Seleccione los párrafos, estén o no en una lista, que deban añadirse a una lista.
Formato SVG comprimido con Gzip
Especifica la ubicación utilizando un diálogo de archivo.
Elimina el archivo seleccionado una vez que confirme el aviso subsecuente.
Pulse en el icono Color de línea (del borde) para abrir la barra de herramientas Color de borde, que permite cambiar el color del borde de un objeto.
Seleccionar dispositivo de audio de salida
Diseñar tarjetas de visita mediante un diálogo
Especifica cómo se mueve el cursor cuando se pulsan las teclas «Inicio» y «Fin». Use «disabled» para moverse siempre al incio/final de la línea, «after» para moverse al inicio/final de la línea la primera vez que se pulsan las teclas y al inicio/final del texto, ignorando los espacios en blanco, la segunda vez que se pulsan, «before» para moverse al inicio/final del texto antes de moverse al inicio/final de la línea y «always» para moverse siempre al inicio/final del texto en lugar del inicio/final de la línea.
Lanzar el editor automáticamente al pulsar una tecla en el editor de correos.
El número de inicio para el generador de números pseudo aleatorios.
Microsoft Word y Writer presentan criterios distintos a la hora de ajustar texto alrededor de objetos flotantes en pantalla. La denominación «objetos flotantes en pantalla» corresponde en Writer a los marcos y los objetos de dibujo y en Word a los cuadros de texto, los gráficos, los marcos, las imágenes, etcétera.
Genera unas líneas terminadas en flechas que conectan la celda actual con las celdas de fórmula que utilizan el valor de la celda actual.
Use este diálogo para especificar los tamaños de letra de la fórmula. Seleccione un tamaño de base y todos los elementos de la fórmula se ajustarán en relación a esta base.
registros origen deberían ser numerados pares
Incluir las subcuentas de todas las cuentas seleccionadas.
Define un intervalo de fechas, dentro del cual el sistema reconoce un año de dos dígitos.
CUPON.DIAS.L2
Las variables de números enteros van desde −32768 hasta 32767. Si se asigna un valor de coma flotante a una variable de número entero, los decimales se redondearán hacia el entero siguiente. Las variables de números enteros se calculan rápidamente en los procedimientos y son apropiadas para variables contadoras en bucles. Estas variables solo necesitan dos bytes de memoria. El carácter de declaración de tipo es «%».
enablecache: no se pudo crear espacio para el caché
¿Confirma que quiere eliminar el color?
Profundidad máxima de recursión para expandir expresiones de rastreo de variables.
Datos2 representa la matriz del segundo conjunto de datos.
Tipo de cambio o abreviación
Buscando el directorio de datos real para el clúster de destino
no hay líneas que repetir
Para borrar una selección pulse fuera del objeto seleccionado o pulse la tecla Esc.
Especifica los ejes que se mostrarán en el gráfico.
El remitente quiere que se le notifique cuando haya leído este mensaje.
cacheset: no se encontró el objetivo
AVISO: Tu subclave de cifrado caduca pronto.
Modifica la selección de la fila, a exepción de cuando la fila se encuentra en modo Edición.
Calcula el número de semanas en un período determinado
clean.requireForce configurado como true y ninguno de -i, -n, ni -f entregado; rehusando el clean
Cada probabilidad del resultado de un intento.
Opciones de depuración GTK+ a poner
Especifique la altura del diálogo o el control.
mktree no devolvió un nombre de objeto
el bucle interno usa el mismo paralelismo OpenACC que el bucle que lo contiene
En la pestaña Opciones, cerciórese de que esté marcada la opción Combinar párrafos de un solo renglón si la longitud supera el 50 %. Si desea cambiar el porcentaje mínimo para la longitud del renglón, pulse dos veces sobre la opción de la lista e indique un porcentaje nuevo.
=N(1/0) devuelve #¡DIV/0!
matriz_1d: La matriz a exportar. Debe contener solo cadenas.
La ubicación del contenedor Mis macros está en el espacio de usuario y depende del sistema operativo:
Pulse «Examinar» para seleccionar una hoja de cálculo de LibreOffice o un libro de Microsoft Excel. LibreOffice abrirá este archivo en modo de solo lectura.
La cadena comienza en medio de una instrucción: se encontró un '}' sin su '{' correspondiente.
Tras establecer las condiciones para la validez de celdas, las otras dos pestañas sirven para crear cuadros de mensaje:
La grabación programada no se puede utilizar con más de un proyecto abierto. Cierre cualquier otro proyecto e inténtelo de nuevo.
El tamaño del cuerpo de la función que será considerado grande.
Ideogramas CJK unificados, ampliación A
Para las secciones, el cursor debe situarse en el primer o último carácter. Para las tablas, el cursor debe situarse en el primer carácter de la primera celda o en el último carácter de la última celda.
Para dejar de grabar los cambios, diríjase a Editar ▸ Control de cambios ▸ Grabar de nuevo. Desaparecerá la casilla de verificación y podrá guardar el documento.
no se puede usar una variable de fila completa (whole-row) en una expresión de generación de columna
Lista de métodos en el servicio PopupMenu
Último día del periodo contable, establecido en las preferencias globales.
Envío de canciones reproducidas a last.fm
Cada elemento de la lista consiste de las dos filas siguientes:
la reubicación debe ser un número par
No se encontró ninguna tabla dinámica en esta posición.
Especifica el número de registros replicados en el segundo banco de registros con la entrada de interrupciones rápidas.
comando vacío en la entrada
Una columna en el modelo de origen de datos del que se obtienen las cadenas
La columna no es válida.
De izquierda a derecha, de abajo a arriba
{=COLUMNA(B2:B7)} y =COLUMNA(B2:B7) devuelven 2 porque la referencia solo contiene la columna B como la primera columna de la tabla. Debido a que las áreas de una sola columna solo tienen un número de columna, no hay ninguna diferencia si la fórmula se utiliza como fórmula matricial o no.
Otro usuario intenta guardar el documento compartido y resuelve los conflictos en este momento.
Agrega archivos nuevos al tema seleccionado.
no se puede leer la sección dinámica
No se pudo encontrar el tipo de monitorización del archivo local predeterminado
Estrategia de división, una de las siguientes: call-div1, call-fp, call-table.
Definir los colores del deslizador de volumen Especificando los 12 números separados por «;» Por defecto es «255;255;255;20;226;20;255;176;15;235;30;20» Una alternativa puede ser «30;30;50;40;40;100;50;50;160;150;150;255»
Esta función devuelve el texto de destino, o una cadena de texto vacía si el destino no es texto.
Establezca la clave preferida para el cifrado OpenPGP y la firma digital. Esta clave preferida se preseleccionará en el cuadro de diálogo de selección de claves cada vez que firme o cifra un documento, de manera que no tenga que seleccionarla si la utiliza con frecuencia para firmar.
Filtro de conversión de vídeo FPS
Cada posición de subíndice o superíndice en un carácter de base se podrá utilizar solo una sola vez. Es preciso señalar mediante paréntesis lo que se desea. Los siguientes ejemplos lo ilustran:
No se necesita la CA del certificado
builtin [orden-interna-shell [arg ...]]
Esta hoja de cálculo ya no está en modo compartido. Guarde su hoja de cálculo en un archivo separado y combine sus cambios en la hoja de cálculo compartida manualmente.
Para aplicar un estilo de página a una página nueva
Seleccionar la carpeta o nombre de archivo donde se guardarán las grabaciones.
Establecer la marca de completado en los mensajes seleccionados
Calcula la suma de las celdas B10 hasta B14 y añade el valor a B8
Expresión: la expresión que se desea calcular.
No hay estilo en el portapapeles.
Genera código x86-64 de 64bit.
El UID de la lista de notas seleccionada (o «primaria») en la barra lateral de la vista de «Notas»
Mostrar notificaciones en la pantalla de bloqueo
Elimine este trigger de integridad referencial y sus pares, y utilice ALTER TABLE ADD CONSTRAINT.
Manchones de tinta bajo el objeto
Bucle continuo del punto A al punto B
Eliminar objetos o trayectos
Dispone de las órdenes de menú contextual y los símbolos siguientes:
Escriba la cantidad de espacio que desee que haya entre el borde inferior del objeto y el texto.
Prefiere la creación de firmas XAdES para los formatos ODF y OOXML y PAdES para el formato PDF.
Valores() es una matriz que representa depósitos (valores positivos) o retiros (valores negativos).
Esta página muestra los detalles de las transacciones para cuentas relevantes de Imposiciones sobre Ingresos.
Fija la posición del elemento seleccionado en el documento actual.
La versión del fichero ELF no coincide con la actual
Este documento se guardó en el formato de Excel (.xlsx). Algunas celdas con fórmulas podrían producir resultados diferentes cuando se recalculen. ¿Quiere recalcular todas las celdas con fórmulas ahora?
no esperaba código operativo mientras procesaba reubicación
Sitio web certificado por una autoridad desconocida
Al presionar el botón Importar, se inicia el proceso de importación basado en las definiciones de enlace que el usuario ha proporcionado. Una vez finalizada la importación, el cuadro de diálogo se cerrará.
También puede insertar secciones vinculadas en documentos HTML. Cuando se visualiza la página en un navegador Web, el contenido de las secciones corresponde al contenido de las secciones en el momento en que se guardó el documento HTML.
Columnas antes
Cuánto tiempo esperar un paquete antes que una fuente expire.
Valor hexadecimal RGBA del color
El estilo de referencia: medios 0 o FALSO estilo R1C1, cualquier otro valor o medios omitidos al estilo A1.
no se soportan referencias anteriores como condiciones para coincidencias parciales
la ubicación del tablespace debe ser una ruta absoluta
viajante 5-opt (minutos)
Aplicar operaciones múltiples
Muestra las licencias de propiedad intelectual disponibles definidas para su instalación.
forzar el checkout (descartar modificaciones locales)
Precisión decimal de la medición
Costo inicial
Seleccionar uno o más archivos multimedia
Indica si la barra lateral incluye un atajo para los archivos recientes
no se puede hacer un salto relativo a una ubicación absoluta
Indica dónde debe moverse o copiarse la hoja actual. Seleccione nuevo documento si desea crear una ubicación para mover o copiar la hoja.
Si imprime un patrón de documento, se imprimirán el contenido de todos los subdocumentos, los índices y cualquier texto que haya escrito.
Opciones de carga y guardado
Pretende que una ramificación-alrededor-de-un-movimiento es un movimiento condicional.
Problema de precisión inherente
Defina colores para las pestañas de las hojas de cálculo: pulse con el botón secundario en estas o vaya a Hoja ▸ Color de pestaña de hoja.
Inicio y final de la selección
'git help config' para más información
La carga de la biblioteca creará el objeto SF_Array, que puede utilizarse para llamar a los métodos del servicio Array.
Establece la precisión de coma flotante 80387 a 32-bit.
Añade a la lista de excepciones palabras corregidas automáticamente que comienzan por dos mayúsculas si la corrección automática se deshace inmediatamente. Esta funcionalidad solo es eficaz si se activa la opción «Corregir DOs MAyúsculas INiciales» en la columna [E] de la pestaña Opciones de este cuadro de diálogo.
Tecla o teclas
En los formularios de base de datos, especifica el origen de datos del contenido de la lista del elemento del formulario. Este campo puede utilizarse para definir una lista de valores para los documentos sin efectuar una conexión con una base de datos.
Especifica el juego de caracteres para la exportación del texto.
Seleccionar elementos adyacentes o un fragmento de texto. Pulse al principio de una selección, desplácese hasta el final de esta y pulse con el ratón mientras mantiene oprimida la tecla Mayús.
Mostrar preferencias avanzadas
Mis documentos
Seleccione cada índice, diríjase a Insertar ▸ Sección y, a continuación, escriba un nombre para el índice. En un documento separado, vaya a Insertar ▸ Sección, seleccione Enlace, pulse en el botón Examinar y localice e inserte una sección de índice nombrada.
ausente el separador de argumentos ',' para .cpsetup
Cerrar y volver a
UNSPEC no válido como operando
En el panel Diapositiva se muestra un icono junto a la previsualización de aquellas diapositivas que contienen uno o más objetos con una animación personalizada. Cuando presente su pase de diapositivas mediante la Consola de presentación, el icono indicará que la próxima diapositiva incluye una animación personalizada.
fin inesperado de la definición de la función
Comentarios acerca del programa
Reporte y Registro / Qué Registrar
alguna de las condiciones siguientes
Establece el texto predeterminado para un cuadro de texto o un cuadro combinado.
Conexión con ODBC
Activa la reasociación a nivel de árbol.
Etiqueta la sección de recibos
Advertirme acerca de esto en el futuro.
Escriba un propósito para la firma.
La ventana del Generador de informes se abre con la información del informe cargada.
expresión WHERE de publicación no válida
Fecha de liquidación de la letra de tesorería.
Función PPmt [VBA]
Es posible modificar las propiedades (tamaño de línea, color de relleno, entre otras) de todos los objetos de un grupo, así como entrar en el grupo para modificar cada objeto por separado.
Esto añade filtros de post-proceso para mejorar la calidad de imagen, por ejemplo desentrelazado, o distorsionar el vídeo.
Un valor positivo mueve el marco al exterior de la caja de contorno de los objetos seleccionados. El desvío relativo normalmente es preferible al absoluto si la altura y anchura de la selección difieren significativamente.
Nuevo tipo de función de transferencia
No hay actualizaciones instalables disponibles. Para ver las actualizaciones ignoradas o desactivadas, active la casilla «Mostrar todas las actualizaciones».
Compila para el m32rx.
Teclas Alt + Ctrl + Mayús
¿Cuáles son los pagos periódicos con un interés anual de 1,99 % si el tiempo de pago es de 3 años y el valor efectivo es de 25 000 unidades monetarias? Hay 36 meses como 36 períodos de pago y el interés por período de pago es de 1,99 % ÷ 12.
Decodificador de audio WMA v1/v2 de punto fijo
Mantenga pulsada la tecla Mayús al arrastrar para cambiar el tamaño de un objeto conservando sus proporciones.
Activa la predicción de probabilidades de ramificación.
Formatos de imágenes interactivas
Eliminar todas las imágenes
La biblioteca Template
Columnas es el número de columnas por el cual se corrigió la referencia hacia la izquierda (valor negativo) o la derecha. Utilice 0 para quedarse en la misma columna
debe especificarse restorecommand cuando el modo standby no está activo
En el cuadro Nombre del filtro, escriba un nombre para el filtro XML.
Si está activado, se imprimen automáticamente las páginas en blanco que se hayan insertado. Es la opción más recomendable para imprimir a doble cara. Ejemplo: El estilo de párrafo de los capítulos de un libro siempre se define de forma que comience en página impar. El capítulo anterior concluye en página impar. LibreOffice inserta una página en blanco con número de página par. Esta opción se encarga de establecer si se imprime o no dicha página par.
Aquí encontrará todas las funciones utilizadas para definir colores.
Disminuir/aumentar impresión
sólo se permite una lista de definición de columnas en funciones que retornan «record»
nodo no encontrado node->decl->decl_with_vis.symtab_node
Ir a la hoja
La ventana acoplable Estilos puede permanecer abierta mientras se edita el documento.
Corrección de errores
permitir el chequeo online de versiones de software
Seleccionar celdas protegidas: active esta casilla para poder seleccionar las celdas protegidas. Cuando la casilla está desactivada, no se permite seleccionar las celdas protegidas; el cursor no puede entrar en un intervalo protegido.
Recargar la información de los paquetes para informarse acerca de los paquetes de software nuevos, eliminados o actualizados.
Usa la especulación de datos después de recargar.
Para editar un campo insertado en la página, pulse dos veces sobre el campo, sitúe el cursor en el campo, delante del primer carácter, y seleccione Editar ▸ Campos.
El método «Post» crea un documento a partir del contenido del formulario y lo envía al URL especificado.
Escriba el espacio que desee dejar entre el borde superior de la página y el documento de texto.
Esto permite crear nombres dinámicamente en tiempo de ejecución. Por ejemplo:
Puede usar este campo para insertar varios registros en un documento. Inserte el campo Cualquier registro delante de los campos de carta modelo que usen un registro determinado.
Fallo mientras se leía el mapa de bits del nodo-i
no se pueden borrar paquetes en un repositorio de objetos preciosos
Si no se acepta la información de formato de algunos campos de datos, especifica un formato de la lista.
Proyección X
Organiza los números del eje: los números impares debajo de los pares.
No se pudo especificar la opción SOBROADCAST para el `socket'
Enviando un correo con una línea de asunto vacía
=ROMANO(999;2) devuelve «XMIX».
Ordenar datos
el registro a ser eliminado ya fue movido a otra partición por un update concurrente
Convierte las cantidades monetarias que se encuentran en los campos y las tablas de los documentos de LibreOffice Writer.
el atributo version no es una cadena
Los trayectos relativos se interpretan con respecto a la localización del archivo actual. Las carpetas ausentes se crean automáticamente.
Copiando audio dentro del proyecto...
A manera de ejemplo, si quiere imprimir las dos primeras filas y la primera columna (A) de la hoja en todas las páginas, siga estos pasos:
Dibuja un rectángulo relleno al arrastrar en el documento actual. Pulse donde desee situar una de las esquinas del rectángulo y arrastre hasta lograr el tamaño deseado. Para dibujar un cuadrado, mantenga oprimida la tecla Mayús al arrastrar.
Dividir en el audio etiquetado (puntos o regiones)
Abre el diálogo Crear nuevo índice de usuario, en el que puede crear un índice personalizado.
anchura de la matriz de convolución
Pestaña Propiedades
Esto define las direcciones RTSP que se escucharán en el servidor, a través de la ruta base del medio VOD RTSP. La sintaxis es: dirección/ruta. Por defecto, el servidor escuchará en cualquier dirección IP local. Especifique una dirección IP (ej. ::1 o 127.0.0.1) o un nombre de servidor (ej. localhost) para restringirlos a una interfaz de red específica
Vaya a Herramientas ▸ Contador de palabras
Asistente para faxes
Seleccione de la lista el texto que desea insertar.
Crea otro documento e inserta el sobre.
… el campo contiene un valor de datos que no se comprende entre los valores X y Y.
Embrutecer un objeto añadiendo nuevos nodos y desplazándolos al azar
No confiar nunca en este en el certificado
Revise los detalles debajo y si están correctos pulse Aplicar para crear el calendario.
no se puede cargar el ejecutable dinámicamente
Define el tamaño máximo de WAL que puede ser reservado por slots de replicación.
Definiciones
Insertar texto fuente
Añade una línea vertical al diálogo.
Intenta mezclar constantes idénticas y variables constantes.
Compensación de velocidad para cuando se muestre el número de elementos en una carpeta. Si se establece a «always» (siempre) entonces siempre se contará el número de elementos, aún si la carpeta se encuentra en un servidor remoto. Si se establece a «localonly» (sólo local) entonces sólo se mostrará el número en los sistemas de archivos locales. Si se establece a «never» (nunca) entonces nunca se contará el número de elementos.
limita la profundidad máxima del delta
Exportar capas como archivos separados
Actualizar vínculos al cargar
Como subcapa de la actual
Escriba la palabra o abreviatura que comience con dos letras mayúsculas o una inicial en minúscula que no desee cambiar automáticamente a una inicial mayúscula. Por ejemplo, introduzca «PC» para evitar un cambio de «PC» a «Pc», o ingrese «eBook» para evitar un cambio a «Ebook».
Pulse dos veces sobre un nombre para editar el filtro.
Mantenga una lista de URL de autoridades de cronomarcación (TSA) que usar con las firmas digitales durante la exportación a PDF.
Muestra la apariencia que tendrá el documento cuando lo imprima.
la consulta no retornó datos
Id entero (N) de la instrucción personalizada fsins.
Un gráfico XY en su forma básica se basa en una serie de datos consistentes de un nombre, una lista de valores -x, y una lista de los valores -y. Cada par de valor (x|y) se muestra como un punto en un sistema de coordenadas. El nombre de la serie de datos es asociado con los valores -y y se muestra en la leyenda.
Copia el contenido de las celdas en el cuadro Copiar lista de. Si selecciona una referencia a filas y columnas relacionadas, cuando pulse en el botón aparecerá el diálogo Copiar lista. Este diálogo permite definir si la referencia se va a convertir a listas de clasificación por filas o por columnas.
Pie de página
salto relativo fuera de límite
Deshabilita lectura de índices del sistema.
Expresión regular: permite definir una expresión regular con que buscar en el documento. Todas las coincidencias se marcarán para su testadura.
También puede crear varios índices en los documentos de texto. Puede definir la estructura y apariencia de los índices y de las tablas según sus necesidades. Hiperenlaces y marcas de texto activos permiten saltar a los elementos correspondientes en el texto.
PRUEBA.F
Planifica el inicio y el final del procedimiento.
Elimina el parámetro de inicio del JRE seleccionado.
Activar inspección
Enlace siguiente
Para ampliar el menú de cuentas en el campo de la transferencia de una página de registro, pulse la tecla del Menú o la combinación de teclas Ctrl-Abajo.
Se utiliza una referencia de la tupla completa, y la tabla contiene columnas generadas
Vaya a Ver ▸ Estilos (F11). Pulse con el botón secundario del ratón en cualquier estilo de párrafo. Seleccione Nuevo ▸ pestaña Condición.
Tipo de imagen gradiente (0 ó 1). 0 pondrá la imagen en blanco mientras 1 mantendrá los colores.
Ajusta el tamaño de la visualización a la anchura del texto del documento.
Especifique la longitud de un control deslizante de una barra de desplazamiento.
Selecciones en el cuadro de lista Visualización
Rellene la información que se incluirá en el pie de página
Conserva todos los símbolos locales
Vaya a Datos ▸ Más filtros ▸ Filtro estándar.
Título del informe
Ver - Previsualización del salto de página
Alinear las anclas de la línea base de los textos horizontalmente
Define el tipo de sentencias que se registran.
Escriba un nombre para la variable en el cuadro Nombre, por ejemplo, Recordatorio.
Inclinación y radio de ángulo
Establece el componente azul modificable en el control deslizante vertical, así como los componentes verde y rojo modificables en el campo bidimensional de selección de color. Se permiten valores entre 0 y 255.
Encuentra y selecciona en el documento la ocurrencia siguiente del texto o del formato buscados en el documento.
un operador no puede ser su propio negador u operador de ordenamiento
Abre una ventana de selección de archivos para elegir el programa de correo electrónico.
Texto oculto
No hay ningún fichero «profile» abierto
Escriba comentarios acerca de la firma. Estos se exhibirán en el campo Descripción del certificado.
Indica si todos los hijos deben ser del mismo tamaño
El formato de la fecha->cadena de conversión para la fecha de hoy.
el registro hostssl no puede coincidir porque SSL no está soportado en esta instalación
Las versiones más recientes de LibreOffice almacenan los resultados de las fórmulas en el archivo ODF. Esto permite que LibreOffice recalcule con mayor rapidez los libros ODF grandes que se guarden con este programa.
Parámetro 3./4. de directiva .frame equivocado
Seleccione un modelo de numeración para los niveles seleccionados.
Su Mac no parece estar equipado con un dispositivo de entrada de audio adecuado. Compruebe sus conectores y controladores.
Registro auxiliar inválido (utilice AR0-AR7)
Las barras de herramientas se pueden configurar según los requisitos de cada usuario.
Realzar los mapas de bits seleccionados; minimizar ruido
se encontró un case por defecto que no está al inicio del vector case
demasiados bytes en la codificación del carácter
Recorrer los objetos bajo el cursor
Si la división de palabras automática produce resultados desagradables en algunas palabras, o bien si quiere que la función no separe ciertas palabras, es posible excluir esas palabras de la división:
un decremento no puede aparecer en una expresión constante
Alt y pulse en la pestaña de la hoja
Carpeta
Es posible dibujar una línea a un costado de un párrafo de un documento de Writer si selecciona Formato ▸ Párrafo ▸ Bordes.
hora fuera de rango
verifica si hay un dirmngr corriendo
Si se selecciona un intervalo con una sola columna, el contenido de la última celda se copia en todas las celdas seleccionadas. Si se seleccionan varias columnas, la última celda de cada columna se copia en las celdas superiores.
Los párrafos se separan mediante marcas de párrafos no imprimibles. También puede especificar que los tabuladores o algún carácter actúen como separadores al ordenar párrafos.
Se puede utilizar el teclado en Esquema:
Ayuda emergente
Guardar un calendario o una lista de tareas al disco.
Ayuda del reproductor de medios VLC
PID del creador
configurar la rama de rastreo por defecto
¿Quiere eliminar la categoría seleccionada?
escribir a APSR sin especificar una máscara de bit es obsoleto
Seleccione un formato de tamaño para la tarjeta de visita.
Obtener más diccionarios…
Exporta el plan de cuentas a un fichero de datos GnuCash nuevo
Vaya a Herramientas ▸ Macros ▸ Ejecutar macro.
Es mucho menor que
Editar contenido de campo variable
Módulo Digital Cinema Package
Un consejo para esta acción.
Seleccione un título de leyenda del cuadro Categoría y, enseguida, seleccione un modelo de numeración en el cuadro Numeración. Además, tiene la posibilidad de introducir un texto de leyenda en este cuadro de diálogo. Si lo desea, proporcione el texto en el cuadro Leyenda.
isstmt valorado distinto de 0 o 1
Especifica si se debe cambiar la configuración actual de la cuadrícula de forma simétrica. La resolución y la subdivisión para los ejes X e Y se mantienen.
Es un número entero que representa las horas.
no se ha podido reservar la línea de salida
(fino, pero muchos nodos)
Delimitador detrás
no se pudo hacer mmap con el fichero de datos de `profile'
Si el planificador estima que leerá un número de páginas de tabla demasiado pequeñas para alcanzar este límite, no se considerará una búsqueda paralela.
Devuelve la transformación de Fisher.
Sesión finalizada, parando la consola ...
elemento con efectos colaterales en CONSTRUCTOR sin efectos colaterales
Mediante el uso de formularios puede definir cómo presentar los datos. Abra un documento de texto o una hoja de cálculo e inserte controles como botones y cuadros de lista. En los diálogos de propiedades de los controles, puede definir los datos que se mostrarán en los formularios.
Icono Títulos
interpreta como página cat
Se obtuvo un activo el 2020-02-01 a un costo de 2000 unidades monetarias. La fecha de finalización del primer período de liquidación fue el 2020-12-31. El valor residual del activo al final de su vida liquidable será de 10 unidades monetarias. La tasa de depreciación es de 0,1 (10%) y el ejercicio se calcula utilizando el método estadounidense (Base 0). Suponiendo una devaluación lineal, ¿Cuál es el importe de la devaluación en el cuarto período de devaluación?
comprobar fichero global de configuración
Cualquier carácter
No se especificó el nombre de la rama
Ayuda a determinar la eficiencia del sistema gráfico de LibreOffice a través de determinadas pruebas internas y provee los resultados en un archivo de registro.
10,2 millones
El GMenuModel para el menú de aplicaciones
(Introduzca su propia contraseña)
Especifique el número de decimales que deban contener los números en este campo.
Volver a abrir el cuadro de diálogo del formulario
Codifica las instrucciones SSE con el prefijo VEX.
Las dos monedas participan como iguales entre sí.
Parte real
Servicios que ofrece la biblioteca ScriptForge
el protector de pila no protege las variables locales: almacenamiento temporal de longitud variable
Asignar estilos
Establece los colores de la interfaz de usuario de LibreOffice. La configuración actual puede guardarse en forma de combinación de colores y cargarse más adelante.
Ignorar la página indicada, intente esto si tus subtítulos no aparecen (-1 = autodetectar desde TS, 0 = autodetectar desde teletexto, >0 = número de página actual, usualmente 888 u 889).
Avanzar a Funciones financieras, parte tres
Páginas izquierdas y derechas
Aplicar los cambios en una ventana de terminal
Proporciona una indicación visual del progreso
el tipo de secuencia debe ser smallint, integer o bigint
La opción -T solo puede utilizarse una vez
Conversión de texto en números
Proyección Y
Inicia con una línea vertical hasta el centro de los valores de Y, dibuja una línea horizontal y finaliza con otra línea vertical.
Accede a Internet sin servidor proxy. Permite establecer una conexión directa del equipo a un proveedor de Internet que no utiliza proxy.
Más ejemplos
Activa el modo de selección de puntos para el objeto de dibujo seleccionado.
Comprueba si la variable «x» contiene una cadena vacía.
fallo al analizar el paso
Total Pasivos y Patrimonio
Área de visualización
Vaya a Datos ▸ Proveedor de datos
no se puede especificar USING al alterar el tipo de una columna generada
Mostrar el directorio de datos del usuario y salir
Esto añade recursos de texto que contienen las versiones traducidas de todas las cadenas de las propiedades del cuadro de diálogo. Se copian las cadenas del idioma predeterminado en el conjunto de cadenas nuevo. Posteriormente, podrá cambiar al idioma nuevo y traducir las cadenas.
error interno: tipo de diff inválido pasado a la salida
Pulse en el documento donde desee insertar el cálculo y presione F2. Si está en una celda, escriba un signo de igualdad (=).
ISAs C6X conocidas (para uso con la opción -march=):
Mediante los botones de opción se puede seleccionar el componente del color. Este componente puede expresarse tanto en el modelo RGB (rojo, verde y azul) como en el HSB (matiz, saturación y brillo). El modelo CMYK no es seleccionable y está disponible únicamente para facilitar la entrada de colores en la notación CMYK.
Inversión es la cantidad invertida.
desbordamiento en la distribución (.lita) literal
identificador del espacio de nombres (número de nodo-i)
Sí, registrar por mí la base de datos
La anchura del widget del botón, en caracteres.
Iniciar cada enunciado por mayúscula
disparadores pendientes de paquetes que no son o pueden no ser resolubles:
Avisa sobre código que pueda romper las reglas estrictas de aliases.
Permite usar la implementación de los códecs del software de Intel Media SDK si la aceleración hardware de vídeo QuickSync está presente en el sistema.
Define la resolución de la pantalla destino. En función de la resolución seleccionada, la imagen se mostrará con un tamaño reducido. Puede especificar una reducción de hasta un 80% respecto del tamaño original.
Produce el análisis de Fourier de un conjunto de datos mediante el cálculo de la transformada de Fourier discreta (TFD) de un vector de números complejos de entrada, utilizando un par algoritmos de transformada de Fourier rápida (TFR).
Muestra todas las sustituciones disponibles en el diccionario. Si se ha marcado la casilla Reemplazar por carácter verá una cuadrícula de caracteres. Si no se ha marcado la casilla Reemplazar por carácter, aparecerá una lista de palabras.
Si tiene problemas que no se solucionan al utilizar el modo a prueba de errores, visite este enlace para obtener ayuda o informar de un defecto.
Este es el ángulo entre el eje del foco de luz (p.ej. el eje entre la fuente de luz y el punto al que apunta) y el cono de luz. No se proyecta luz fuera de este núcleo.
Dibuja un conector directo con un círculo en el punto inicial. Pulse en un punto de conexión de un objeto, arrastre a un punto de conexión de otro objeto y luego suelte el botón del ratón.
Recomendamos que siempre especifique el valor que necesita para el argumento Par de INT.ACUM.V, en lugar de permitir que Calc aplique un valor predeterminado arbitrario. Esto hará que su fórmula sea más fácil de entender y de mantener.
El inspector de estilos es capaz de mostrar cualquier metadato RDF (marco de descripción de recursos, siglas en inglés; una norma del W3C) asociado con extensiones de texto, párrafos y marcadores que se encuentre en la posición del cursor. Para extensiones de texto con anotaciones, el elemento «Contenido de texto anidado» puede mostrar el límite de los intervalos de texto con anotaciones anidados y los campos de metadatos.
De forma predeterminada, el formato de los párrafos insertados es el de los estilos de párrafo actuales. Este formato corresponde a la entrada "ninguno" del listado Estilo de párrafo. En él puede seleccionar otros estilos de párrafo para aplicarlos al párrafo que desea insertar en el documento. En el listado se muestran los estilos de párrafo disponibles definidos en LibreOffice y gestionados en el Catálogo de estilos.
Nota: para la opción --restore, si la ubicación original del archivo eliminado ya existe no se sobrescribirá a menos que se indique la opción --force.
Impide que el usuario acceda al terminal o especifique una línea de comandos para ser ejecutada. Por ejemplo, esto podría desactivar el acceso al diálogo del panel «Ejecutar aplicación».
=CUARTIL.EXC(A1:A50;2) devuelve el valor cuyo 50 % de la escala corresponde a los valores de inferior a superior en el intervalo A1:A50.
Separador decimal es un solo carácter que especifica el separador decimal en Texto. Se puede omitir si Texto no incluye ningún separador decimal o de grupo.
Microsoft Office tiene dos atributos de carácter similares al fondo de carácter de Writer. Seleccione el atributo apropiado (resaltado o sombreado) que le gustaría usar durante la exportación a formatos de archivo de Microsoft Office.
Crea entradas de índice a partir de los nombres de los objetos. Los nombres de los objetos se pueden ver, por ejemplo, en el Navegador y cambiarlos en el menú contextual.
Asegúrese que se muestren todos los niveles de títulos en el Navegador. De manera predeterminada se muestran todos los niveles. Vea un poco más abajo cómo cambiar los niveles de títulos que se muestran.
Vaya a Tabla ▸ Insertar tabla e inserte una tabla de una columna y más de una fila en el documento de texto.
Si se activa, GnuCash redondeará precios como sea necesaria para representarlos como decimales en vez de representar la fracción exacta si la parte fraccional no puede ser representada exactamente como un decimal.
Mostrar el campo «De» al enviar un mensaje a un grupo de noticias. Esto se controla desde el menú Ver cuando se elige una cuenta de correo.
Definir los valores de un gráfico de barras en esta área. Cualquier cambio se aplica a todas las series de datos del gráfico, no sólo a los datos seleccionados.
El modo Insertar permite insertar nuevos caracteres en la posición del cursor; el texto que sigue se desplaza hacia la derecha. El cursor se representará de forma vertical.
El cifrado mediante OpenPGP requiere la utilización de la clave pública del destinatario y esta debe estar disponible en el llavero OpenPGP almacenado en el equipo. Para cifrar un documento:
Referencia indica la referencia a una celda en la que se realizará una comprobación para determinar si contiene una fórmula.
Calcula la tasa interna de retorno de una inversión. Los valores representan el efectivo a intervalos regulares: al menos un valor debe ser negativo (pagos) y al menos un valor debe ser positivo (ingreso).
Especifica que la función seleccionada se inserte en el intervalo de celdas seleccionado como fórmula matricial. Las fórmulas matriciales operan sobre varias celdas. Cada una de las celdas de la matriz contiene la fórmula; esta no es una copia, sino una fórmula común que comparten todas las celdas de la matriz.
Idioma de la pista de audio a usar (separados por comas, dos o tres de letras del código del país. Puede usar «none» para evitar seleccionar el idioma de reserva).
Añade líneas que subdividen el eje Z en secciones más pequeñas. Esta opción solo está disponible si se trabaja con gráficos en 3D.
Haga una pulsación doble para activar la fuente de luz y seleccione un color de luz en la lista. Si lo desea, puede establecer el color de la luz del entorno mediante la selección de un color en el cuadro Luz ambiental.
Esta opción aplicará un estilo definido en función de la fecha elegida en el cuadro combinado: Hoy - Ayer - Mañana - Últimos 7 días - Esta semana - Semana anterior.
Si escribe varios criterios en una fila, están conectados por Y (AND). Si escribe varios criterios en diferentes filas, están conectados por O (OR).
La opción "Formulario Superior" se usa para subformularios. Si selecciona esta opción para un subformulario, puede recorrer la información usando los registros del formulario principal si el cursor está ubicado en el subformulario. Un subformulario está vinculado al formulario principal por una relación 1:1, de manera que el recorrido de la información siempre se realiza en el formulario superior.
¿Necesita llenar una serie? Seleccione el intervalo de celdas y el menú Hoja ▸ Rellenar celdas ▸ Series y escoja entre Lineal, Crecimiento, Fecha y Relleno automático.
Convierte el texto coreano seleccionado de hangul a hanja o viceversa. Esta orden del menú se puede ejecutar únicamente si activa la compatibilidad con los idiomas asiáticos en Herramientas ▸ Opciones ▸ Configuración de idiomas ▸ Idiomas y si selecciona un texto formateado en coreano.
El arranque seguro evita que se cargue software malicioso cuando se inicia el dispositivo. Actualmente está activo y funcionando correctamente.
Devuelve la secante de un ángulo dado (en radianes). La secante de un ángulo equivale a 1 dividido entre el coseno de dicho ángulo
Estos símbolos indican la sangría izquierda de la primera línea del párrafo actual (triángulo superior) y la sangría izquierda de las demás líneas del párrafo. (triángulo inferior).
Si se establece a cierto, usa la traducción de «Fwd/Re» en el asunto del mensaje al responder o reenviar; si no, se usa la versión sin traducir.
Integre los componentes nuevos como servicios. Los servicios ProtocolHandler y JobDispatch lo auxiliarán; puede encontrar más información en la Guía de desarrollo de LibreOffice.
A continuación se muestra un ejemplo de inserción de una fórmula matricial, sin entrar en detalles sobre estas.
Para enlazar un evento con una macro, primero grabe una macro que contenga todas las órdenes que deban ejecutarse cuando se produzca el evento. Luego, asigne esta macro al evento respectivo: para ello, pulse en el botón … ubicado junto al evento. Se abrirá la ventana Asignar macro, que le permitirá seleccionar la macro.
Puede buscar un texto con atributos que se aplican por formato directo o por estilos. Por ejemplo, si busca según el atributo Tipo de letra, se encontrarán todos los casos de texto que no utilicen el tipo de letra predeterminado. Se encontrará todo el texto que tenga un atributo de tipo de letra codificado directamente y todo el texto en que el estilo cambie el atributo de tipo de letra.
Muestra las funciones disponibles. Al seleccionar una función se muestra una breve descripción en el área situada debajo del listado. Para insertar la función seleccionada, pulse dos veces en ella o en el icono Insertar función en la hoja de cálculo.
Esta cuenta (y cualquier subcuenta) estarán ocultos en el plan contable y no aparecerán en el índice desplegable de cuentas del registro. Para restablecer esta opción, primero tendrá que abrir el diálogo «Filtrar por...» del plan contable y marcar la opción «Mostrar cuentas ocultas». Al hacerlo podrá seleccionar la cuenta y reabrir este diálogo.
Si una barra de herramientas es mayor de lo que se puede ver en la pantalla, se muestra un símbolo en el borde inferior o derecho. Seleccione la barra de herramientas y pulse RePág o AvPág para mostrar los símbolos restantes.
Para activar el corte de palabras automático cuando se inserte manualmente un guion discrecional en una palabra, oprima Ctrl + -. La palabra se separará en la posición del carácter cuando se encuentre a final de renglón, aunque esté desactivado el corte de palabras automático para el párrafo.
En Writer, Impress, Draw y Calc (este último, cuando no se activa la compartición de documentos), es posible efectuar bloqueos de archivos. Este bloqueo estará disponible incluso si se accede al mismo documento desde sistemas operativos diferentes:
Defina las opciones de uso para insertar una nueva hoja. Puede crear una nueva hoja, o insertar una hoja existente desde un archivo.
Distancia entre los fotogramas clave I- o P- ; si es cero, la estructura GOP no está especificada. Nota: Si GopRefDist = 1, no se usan fotogramas B- .
Todos los píxeles se establecen en sus valores de gris y, a continuación, los canales de color verde y azul se reducen en la cantidad que especifique. El canal de color rojo no cambia.
2.— Estas unidades no forman parte de la norma Formato de documentos abierto para aplicaciones de oficina (OpenDocument), versión 1.3, parte 4: Formato de fórmulas recalculadas (OpenFormula) aplicable a la función CONVERTIR. Se conservan para fines de retrocompatibilidad.
Si esta opción está habilitada aptitude le avisará cuando intente realizar una acción que no tiene permisos para hacer. Por ejemplo: si intenta instalar un paquete como un usuario que no sea administrador. Se le dará la opción de acceder como usuario «root» y realizar las acciones con privilegios de administrador.
Por ejemplo, para ver todos los clientes de Nueva York, pulse un nombre de campo con la entrada «Nueva York». El filtro automático filtra en la base de datos todos los clientes de Nueva York.
Esta página es visible solo si el documento está enlazado con una base de datos. Permite especificar si los valores de referencia deben guardarse en la base de datos.
Corta el objeto seleccionado y lo guarda en el portapapeles. El objeto se puede volver a insertar desde el portapapeles mediante Pegar.
Hora en la que acaba la jornada laboral, en formato de veinticuatro horas HHMM, 0000 a 2359 o -1 para usar la hora y el minuto de inicio del día
Si el documento de texto de destino contiene secciones, puede seleccionar la sección que desee insertar en el cuadro Secciones.
Sangra automáticamente un párrafo en función del tamaño de letra y del interlineado. Se ignora la definición de la casilla Primer renglón.
Si se establece a «true», entonces Nautilus abrirá automáticamente una carpeta cuando el soporte está automontado. Esto sólo se aplica a los soportes donde no se detectó el tipo de contenido (x-content/*); para soportes en los que sí se detectó el tipo de contenido, se llevará a acabo la acción configurable por el usuario.
Para trabajar en análisis estadísticos o de ingeniería, es posible ahorrar pasos y tiempo mediante las Estadísticas de datos de Calc. Proporcione los datos y los parámetros para cada análisis y el conjunto de herramientas utilizará las funciones estadísticas o de ingeniería adecuadas para calcular y mostrar los resultados en una tabla.
Si abre el Asistente para bases de datos para crear un archivo de base de datos para una conexión existente, puede que haya más pasos para especificar las rutas, la información de autenticación, etcétera.
Cuando crea un gráfico basado en datos predeterminados o copia un gráfico en un documento, puede abrir el cuadro de diálogo Tabla de datos para introducir sus propios datos. El gráfico mostrará al instante los datos que proporcione.
Si desea ver fracciones de varios dígitos deberá cambiar el formato de la celda para que se muestren las fracciones con varios dígitos. Abra el menú contextual de la celda y seleccione Formato de celdas. Seleccione «Fracción» en el campo Categoría y, a continuación, seleccione «-1234 10/81». Ahora podrá escribir fracciones como 12/31 o 12/32; sin embargo, las fracciones se simplifican de forma automática, por lo que en el caso del último ejemplo se mostrará 3/8.
Devuelve la posición de una cadena de texto dentro de otra cadena. También puede definirse el punto de inicio de la búsqueda. El término buscado puede ser un número o una cadena de caracteres. La búsqueda distingue entre mayúsculas y minúsculas.
Para desplazarse con el Navegador a una determinada página, indique el número de esta en el botón incrementable Página del Navegador y oprima la tecla Intro.
Si define una condición, use los mismos elementos para definir una fórmula, en concreto operadores comparativos, funciones matemáticas y estadísticas, formatos numéricos, variables y constantes.
Dibuja un contorno cerrado compuesto de segmentos rectos. Pulse sobre la posición en la que desee iniciar el polígono y arrastre para dibujar un segmento. Vuelva a pulsar para definir el final del segmento y siga pulsando para definir el resto de segmentos del polígono. Pulse para completar el polígono. Para restringir el polígono a ángulos de 45 grados, mantenga pulsada la tecla Mayús cuando pulse con el ratón.
Escriba el título secundario que desee dar al eje Y del gráfico. Este aparecerá en el lado opuesto del gráfico al del título del eje Y.
Devuelve la porción especificada de una expresión de cadena (función Mid) o sustituye la parte de una expresión de cadena por otra cadena (instrucción Mid).
Es posible crear criterios utilizando comodines; para ello, asegúrese de que esté activada la opción Permitir comodines en fórmulas del cuadro de diálogo Herramientas ▸ Opciones ▸ LibreOffice Calc ▸ Calcular. Si la interoperatividad con Microsoft Excel es importante para su libro, esta opción debe estar activada.
Para comprobar si un archivo existe, escriba la ruta de acceso completa y el nombre del archivo. Si el nombre de archivo o de directorio no existen, la función Dir devuelve una cadena de longitud cero ("").
Está a punto de eliminar los recursos de los idiomas seleccionados. Se eliminarán todos los mensajes de interfaz de usuario de estos idiomas.
La tabla de base de datos del ejemplo que da información sobre los invitados a la fiesta de cumpleaños de Joe (descrita anteriormente) debe ocupar las celdas A1:E10. El contenido de las celdas A12:E12 debe ser idéntico al de las etiquetas de cabecera de la tabla de la base de datos en las celdas A1:E1. Debe asegurarse que las celdas A13:D13 estén en blanco y que la celda E13 contenga ">0" (este criterio de búsqueda pretende hacer coincidir con todos los registros de la tabla de la base de datos).
Seleccione el ámbito del intervalo o fórmula nombrada. «Documento(Global)» indica que el nombre es válido para todo el documento.
Deslice su dedo a la izquierda o a la derecha sobre la pantalla para cambiar de diapositiva. Las notas de cada una aparecerán en la parte inferior de la pantalla.
Con una serie de datos seleccionada, pulse y, a continuación, pulse dos veces sobre un solo punto de datos para editarle las propiedades (por ejemplo, una única barra en un gráfico de barras).
El Control remoto de Impress muestra miniaturas de las diapositivas en la pantalla del dispositivo, incluidas cualesquier notas debajo. Pase el dedo por la pantalla para ir hacia atrás o hacia adelante en la presentación. Además puede mostrar un mosaico de diapositivas para saltar directamente a la que desee, para facilitar la dinámica de su presentación.
=NORMALIZACION(11;10;1) devuelve 1. El valor 11 en una distribución normal con una media de 10 y una desviación estándar de 1 está tan por encima de la media de 10 como el valor 1 está por encima de la media de la distribución normal estándar.
Muestra una lista de los tipos de campos disponibles. Para añadir un campo en su documento, pulse en un campo de la lista «Selección» y, a continuación, pulse en «Insertar». Los campos siguientes están disponibles:
Si no se especifica el carácter o la palabra clave de declaración de tipo, la instrucción DefBool establece el tipo de datos predeterminado para las variables según un intervalo de letras.
Devuelve la fecha en formato ISO sin separadores (AAAAMMDD) a partir de un número de serie de fecha generado por DateSerial, DateValue o la función CDateFromIso.
Escriba un nombre para el escenario nuevo y deje el resto de los campos sin modificar. Cierre el cuadro de diálogo pulsando el botón Aceptar. Se activará automáticamente el escenario nuevo.
La compresión de imágenes es una clase de compresión de datos que se aplica a las imágenes digitales para reducir su tamaño de almacenamiento o su tiempo de transmisión. La compresión puede valerse de características de la percepción visual y de las propiedades estadísticas de los datos de la imagen para mantener la calidad de la información.
Las series de datos obtienen sus datos de las filas consecutivas en el intervalo seleccionado. Para gráficos de dispersión, la primera serie de datos contendrá los valores X de todas las series. El resto de las series de datos se utiliza como valores Y, uno por cada serie.
Si un documento fue creado por medio de una plantilla que no puede encontrarse, aparecerá un cuadro de diálogo que le preguntará cómo proceder la próxima vez que se abra el documento.
Cuando utiliza la herramienta Subtotales, Calc inserta un esquema a la izquierda de la columna de números de fila. Este esquema representa la estructura jerárquica de sus subtotales y puede utilizarse para ocultar o mostrar datos a varios niveles de la jerarquía, a través de los indicadores de columna numerados que se encuentran en la parte superior del esquema, o bien, mediante los indicadores de grupo, representados por los signos de suma (+) y de resta (−).
De manera predeterminada, las descargas se guardan en el escritorio. Puede cambiar la carpeta donde se guardan los archivos descargados en Herramientas - Opciones - LibreOffice - Actualización por Internet.
La funcionalidad de generación de códigos de barras y QR le permite codificar cualquier cadena de texto o URL como código QR o de barras e insertarlo como objeto gráfico en un documento para su posterior escaneo.
Las tablas seleccionadas se muestran en el área superior de la vista de diseño de relaciones. Puede cerrar una ventana de tabla a través del menú contextual o con la tecla Supr.
Convierte un punto de esquina o punto simétrico en un punto suave. Ambos puntos de control del punto de esquina están alineados en paralelo y se pueden desplazar a la vez. Los puntos de control pueden tener una longitud distinta, lo cual permite variar los grados de curvatura.
Fíjese en que solamente podrá abrir archivos HPGL guardados con Inkscape, para abrir otros archivos HPGL cambie su extensión a .plt, asegúrese de que UniConverter está instalado y vuelva a abrirlos.
Permite añadir números de renglón al texto de los marcos. La numeración se reinicia en cada marco y se excluye del recuento de renglones del área principal de texto del documento. La numeración no se reinicia si enlaza los marcos.
Puede añadir órdenes nuevas, modificar las existentes o reorganizarlas. También es posible añadir órdenes ejecutadas por macros y aplicar todo tipo de estilos directamente desde un menú.
En algunos tipos de ejes puede seleccionar que se formateen como texto o fecha, o que se detecte automáticamente el tipo. Para el tipo de eje "Fecha" puede establecer las siguientes opciones.
OpenGL es un lenguaje de gráficos 3D desarrollado inicialmente por la empresa SGI (Silicon Graphics Inc). Se suelen utilizar dos dialectos de este lenguaje: Microsoft OpenGL, desarrollado para utilizarse en Windows NT, y Cosmo OpenGL, creado por SGI. Este último representa un lenguaje de gráficos independiente para todas las plataformas y cualquier tipo de equipo que se puede utilizar, incluso, en máquinas no equipadas con hardware de gráficos 3D específico.
Inkscape soporta muchas características avanzadas de SVG (marcadores, clones, mezcla alfa, etc.) y se pone mucho cuidado en el diseño de una interfaz optimizada. Es muy fácil de editar nodos, realizar operaciones complejas con rutas, mapas de bits y mucho más. También tenemos como objetivo mantener una próspera comunidad de desarrolladores y usuarios mediante el uso de desarrollo abierto, orientado a la comunidad.
Para seleccionar una fila o una columna mediante el ratón, coloque el puntero justo a la izquierda de la fila o encima de la columna. El puntero se transforma en una flecha. Pulse para seleccionar la fila o la columna.
Reduce o aumenta el tamaño de la fórmula impresa con el factor de zum especificado. Escriba el factor de zum deseado directamente en el control Escala, o bien, defina el valor mediante los botones de flecha.
Pruebe con las fórmulas siguientes: en A4 escriba =A3*24 para calcular las horas, en A5 escriba =A4*60 para calcular los minutos y en A6 escriba =A5*60 para los segundos. Oprima la tecla Intro después de cada fórmula.
=EXTRAEB("中国";3;1) nos devuelve " " (la posición de byte 3 está al principio de un carácter en una cadena DBCS, pero 1 byte es sólo la mitad de un carácter DBCS y, por tanto, nos devuelve un carácter de espacio en su lugar).
PNG (Portable Network Graphics, «Imágenes de red portátiles») es un formato de archivos gráficos. Los archivos están comprimidos con el factor de compresión que se seleccione y, a diferencia del formato JPG, los archivos PNG se comprimen sin pérdida de información.
Introduzca el símbolo etiquetado para la materia prima (p.e. CSCO o AAPL). Si está obteniendo las cotizaciones por conexión, este campo debe cotejar exactamente al símbolo abreviado empleado por el origen de la cotización (incluyendo mayúsculas/minúsculas).
Para añadir un campo desde la lista de campo de una tabla o una consulta a un formulario, arrastre una celda hacia el formulario. En un documento de texto, también puede arrastrar una cabecera de columna para añadir un campo a un formulario. Para incluir una etiqueta para el campo, presione Ctrl+Mayús cuando arrastre una cabecera de columna.
Los usuarios se indignan acerca de dónde debe ir el la firma al responder un mensaje. Esto determina si la firma se ubica en la parte superior del mensaje o en la inferior.
=RANGO.PERCENTIL.EXC(A1:A50;50) devuelve la posición porcentual del valor 50, con base en todo el intervalo de valores que se encuentran en A1:A50. Si 50 no está dentro del intervalo, aparecerá un mensaje de error.
El alisamiento exponencial es una técnica de filtración que, cuando se aplica a un conjunto de datos, produce resultados emparejados, con menos variación residual. Se utiliza en muchos campos, como el mercado accionario, en economía y en muestreo de medidas.
Si el valor del cuadrado de chi de la muestra asciende a 13,27 y el experimento tiene 5 grados de libertad, entonces la hipótesis se cumple con un intervalo de probabilidad de error del 2%.
Muestra los nombres de todos los documentos abiertos. Para cambiar a otro documento abierto a través del Navegador, pulse en el nombre de este. El estado (activo o inactivo) del documento aparece entre paréntesis tras el nombre. Puede cambiar de documento activo mediante el menú Ventana.
Inserta un nuevo registro en la tabla actual. Para crear un registro, pulse en el botón del asterisco (*) situado en la parte inferior de la vista de la tabla. Al final de la tabla se agrega una fila vacía.
Compensación de velocidad para cuando se muestran archivos de imágenes como una miniatura. Si se establece a «always» (siempre) entonces siempre se mostrarán miniaturas, aún cuando la carpeta se encuentre en un servidor remoto. Si está definido como «localonly» (sólo local) entonces sólo se mostrarán miniaturas en los sistemas de archivos locales. Si se establece a «never» (nunca) entonces no se mostrarán miniaturas de las imágenes, sino que se mostrará un icono genérico. A pesar de lo que el nombre pueda sugerir, esto se aplica a cualquier archivo previsualizable.
Al menos una matriz debe ser parte de la lista de argumentos. Si solo se proporciona una matriz, se suman todos los elementos de la matriz. Si se proporciona más de una matriz, todas deben tener el mismo tamaño.
Carga un documento especificado con un URL introducido. Puede escribir un URL nuevo, editar un URL o seleccionar uno de la lista. Muestra la ruta completa del documento actual.
Para los campos "Fecha" y "Hora", el parámetro TYPE equivale a DATETIME. El formato de la fecha o de la hora se especifica con el parámetro SDNUM: por ejemplo, DD:MM:YY para las fechas o HH:MM:SS para la hora.
Especifique el orden en que los controles recibirán el foco cuando se pulse la tecla Tab en el diálogo. Al entrar en un diálogo, el control con el orden más bajo (0) recibe el foco. Si se oprime la tecla Tab, los demás controles reciben el foco sucesivamente según lo especificado por sus números de orden.
TextoDesde: Cualquier expresión de cadena que especifique el nombre del archivo que se desee borrar. La expresión puede contener información opcional de ruta de acceso y unidad. Si se desea, puede escribirse una ruta en la notación URL.
Inserta la referencia bibliográfica en el documento. Si creó un registro nuevo, debe además insertarlo como una entrada, o de otro modo el registro se perderá.
El argumento Base de datos también se puede especificar pasando el nombre de un intervalo con nombre o intervalo de base de datos. El uso de un nombre expresivo para definir el intervalo de celdas puede mejorar la comprensibilidad de la fórmula y el mantenimiento del documento. Si el nombre no coincide con el nombre de un intervalo definido, Calc emite un error #¿NOMBRE?
El codificador puede hacer intercambios de calidad al vuelo si tu CPU no puede mantener la tasa de codificación. Esto deshabilitará la cuantización trellis, luego la tasa de distorsión de vectores de movimiento (hq) y elevará el umbral de reducción de ruido para facilitar la tarea del codificador.
En la pestaña Números verá una selección de formatos numéricos predeterminados. En la parte inferior derecha del diálogo verá la previsualización del aspecto del número actual, con el formato que se le haya asignado.
El archivo abierto en primer término que concuerde con los criterios del filtro XML se usará para probar el filtro. El filtro de exportación de XML actual transforma el archivo y el código XML resultante aparece en la ventana Salida del filtro XML.
Si dispone de más de una serie de datos de precios, utilice los botones Arriba y Abajo para ordenarlas. El orden determina la organización del gráfico. Repita el procedimiento para la serie de datos de volúmenes. No es posible intercambiar las series de datos de precios y de volúmenes.
Define un pase personalizado utilizando diapositivas de la presentación actual. Puede elegir diapositivas que satisfagan las necesidades de la audiencia. Puede crear tantos pases personalizados como desee.
Algunos efectos VST deben retrasar el audio que se devuelve a Audacity como parte de su procesamiento. Si no se compensa este retardo se pueden provocar pequeños silencios insertados en el audio. Habilitando esta opción se compensará ese problema, aunque puede no funcionar en todos los efectos VST.
Defina donde se muestran los valores menores y los mayores en el eje. El estado no activado es la dirección matemática. Significa que para sistemas de coordenadas cartesianas, el eje-x muestra los valores menores a la izquierda y que el eje-y muestra los valores menores al fondo. Para sistemas de coordenadas polares la dirección del eje de ángulo matemático es contra el sentido de reloj y el eje radial es de adentro hacia afuera.
Esta opción determina cómo es tratada una cadena de texto vacía cuando se usa en operaciones aritméticas. Si se definió la opción «Conversión de texto en números» como «Generar error #¡VALOR!» o «Tratar como cero», no se puede elegir (aquí) si la conversión de una cadena vacía a número generará un error o se tratará como un cero. En caso contrario, esta opción determina cómo se tratan las cadenas vacías.
Si pulsa en el icono Aplicar filtro de formularios de la barra de herramientas Filtro de formularios, se aplicará el filtro. Se abre la barra de herramientas Navegación de formularios, que permite examinar los registros encontrados.
Seleccione una función a la que desee asignar una combinación de teclas en la lista Combinaciones de teclas y pulse en Modificar. Si la función seleccionada ya tiene asignados atajos de teclado, se muestran en la lista Teclas.
Permite trazar un arco en el documento actual. Para dibujarlo, arrastre el puntero hasta que la figura alcance el tamaño que desee y, acto seguido, pulse para definir el punto inicial del arco. Desplace el puntero hasta el sitio donde quiera colocar el punto final y pulse. No es necesario pulsar en el óvalo. Para trazar un arco circular, mantenga oprimida Mayús mientras arrastra.
Los atajos de conversión Unicode predeterminados son Alt + X y Alt + C, este último en algunos idiomas en los que el atajo anterior interfiere con el de apertura del menú principal. Para modificar el atajo, seleccione Herramientas ▸ Personalizar ▸ Teclado y asigne Categoría:Opciones con Función:Alternar notación Unicode.
Compruebe si una matriz de una dimensión contiene un determinado número, texto o fecha. La comparación de texto puede distinguir entre mayúsculas y minúsculas o no. Las matrices de entrada ordenadas deben llenarse de manera homogénea, lo que significa que todos los elementos deben ser escalares del mismo tipo (los elementos Vacio y Nulo están prohibidos). El resultado del método es impredecible cuando la matriz se anuncia como ordenada y en realidad no lo es. Se realiza una búsqueda binaria cuando se ordena la matriz; de lo contrario, simplemente se escanea de arriba a abajo y se ignoran los elementos Vacio y Nulo.
El término «incremento» se refiere a la cantidad con la que aumenta un valor determinado. Determina el valor en el que se incrementa con cada paso la serie del tipo seleccionado. Solo se pueden generar entradas si se ha seleccionado uno de los tipos de serie siguientes: aritmético, geométrico o fecha.
Un equipo de vídeo con un precio de compra de 50 000 unidades monetarias debe depreciarse anualmente durante 5 años. El valor de rescate debe ser de 10 000 unidades monetarias. Determine la amortización correspondiente al primer año.
Escala de grises convierte todos los colores a un máximo de 256 gradaciones entre el blanco y el negro. Todo el texto se imprime en negro. Los fondos establecidos mediante la opción Formato ▸ Página ▸ Fondo no se imprimirán.
Si la parte de la curva es recta, los puntos de inflexión de las rectas tendrán como máximo un punto de control y no podrán convertirse de nuevo en puntos redondeados, a no ser que convierta primero las rectas en una curva.
Guarda el archivo como un documento HTML para que pueda verlo en un navegador web. Puede optar por crear una página separada en el punto del documento donde se encuentre un estilo de título de su elección. Si elige esta opción, se crea además una página separada con enlaces a todas las demás páginas que se generen.
Define el nombre del escenario. Utilice un nombre claro y exclusivo que le permita identificar el escenario con facilidad. También puede modificar un nombre de escenario en el Navegador, mediante la orden Propiedades del menú contextual.
Mientras introduce cantidades en el registro, puede usar la calculadora de GnuCash para sumar, restar, multiplicar y dividir. Simplemente teclee el primer valor, después seleccione ‘+’, ‘-’, ‘*’ o ‘/’. Teclee el segundo valor y pulse «Entrar» para registrar la cantidad calculada.
Alinea los caracteres asiáticos uno debajo del otro en las celdas seleccionadas. Si la celda tiene más de una línea de texto, las líneas se convierten en columnas de texto que se disponen de derecha a izquierda. Los caracteres occidentales del texto convertido se giran 90 grados a la derecha. Los caracteres asiáticos no se giran.
Cuando esta opción está desactivada, Calc detectará y convertirá solo números decimales. El resto, incluidos los números de formato en notación científica, se importarán como texto. Una cadena de números decimales puede tener dígitos 0-9, separadores de millares, y un separador decimal. Los separadores de millares y los separadores decimales pueden variar con el idioma seleccionado y la región.
Perfil de aceleración usado para el lápiz conectado. El perfil de aceleración puede ser el predeterminado ('default'), que usa el perfil de aceleración predeterminado para cada dispositivo, plano ('flat'), que se basa en un factor constante de aceleración específico del dispositivo, derivado de la configuración de la velocidad del puntero, o adaptativo ('adaptive'), que adapta la aceleración dependiendo del movimiento. Si el lápiz no soporta el perfil configurado, se usara el 'default'.
Este es el mismo cuadro de diálogo que si selecciona Todas las celdas en la primera entrada del submenú Condición. Aplicar una escala de color a un intervalo consiste en mostrar un degradado bicolor o tricolor en este intervalo dependiendo del valor de cada celda. Un ejemplo típico podría ser una serie de temperaturas, de color azul para las más bajas y de color rojo para las más altas, con un degradado de tonalidades en los valores intermedios.
El formato de correo local de Evolution ha cambiado de mbox a Maildir. Se debe migrar su correo local al formato nuevo antes de que Evolution pueda proceder ¿Quiere migrar ahora? Se creará una cuenta mbox para preservar las antiguas carpetas mbox. Puede eliminarla después de asegurarse que sus datos se han migrado correctamente. Asegúrese de que existe espacio suficiente si elige migrar.
Esta tabla se usa para sustituir los colores de las filas de datos seleccionadas en los gráficos. Por ejemplo, si selecciona la fila de datos 6 y pulsa en el color verde 8, el anterior color de la fila de datos se sustituye por el verde 8. El nombre del color seleccionado se muestra debajo de la paleta de colores.
Determina la posición del cursor dentro de la vista magnificada. Los valores son: • «none» (ninguno): sin seguimiento del ratón • «centered» (centrado): la imagen del ratón se muestra en el centro de la región ampliada (que también representa el punto bajo el ratón del sistema) y el contenido magnificado se desliza según se mueve el ratón del sistema • «proporcional»: la posición del ratón magnificado en la región de ampliación es proporcionalmente la misma que la posición del ratón del sistema en el ratón • «push» (empujar): cuando el ratón magnificado cruza un límite de la región de ampliación, el contenido se desliza en la vista
Puede combinar varios objetos en un grupo de modo que estos actúen como un único objeto. Puede mover y transformar todos los objetos de un grupo como una unidad. También es posible cambiar las propiedades (por ejemplo, tamaño de línea y color de relleno) de todos los objetos de un grupo o de un objeto individual. Los grupos pueden ser temporales o asignados:
El área de la imagen o el marco en la que el lector puede pulsar con el ratón se indica mediante la aparición del URL enlazado cuando el ratón se coloca por encima. La interacción se almacena en una capa por debajo de la imagen en sí y contiene información acerca de las regiones con referencias. La única desventaja de las imágenes interactivas de lado cliente consiste en que no funcionan en navegadores web obsoletos; esta desventaja desaparecerá a medida que transcurra el tiempo.
La casilla de verificación Guardar el código Basic original tiene preferencia ante el campo Cargar Código Basic : si las dos casillas de verificación están activadas y edita el Código Basic comentado en el IDE de LibreOffice Basic, al almacenar en el formato Microsoft, también se almacenará el Código Basic de Microsoft. Se muestra un mensaje que le informa de este hecho.
El cuadro de diálogo que aparece, Archivos remotos, consta de varias partes. El cuadro de lista superior enumera los servidores remotos que haya definido previamente. Inmediatamente debajo aparece la ruta de acceso de la carpeta seleccionada. A la izquierda se muestra la estructura de las carpetas del espacio de usuario en el servidor. El panel principal exhibe los archivos que alberga la carpeta remota.
Hay una excepción cuando la persona autora de un documento de texto de Writer lo guarda y abre de nuevo: el cursor se situará en la misma posición que tenía al momento de guardarse el documento. Este comportamiento se da solo si se ha proporcionado el nombre de autoría en Herramientas ▸ Opciones ▸ LibreOffice ▸ Datos de identidad.
Un programa normalmente se ejecuta desde la primera a la última línea de código. También se pueden ejecutar algunos procedimientos dentro del programa según condiciones específicas o repetir una sección del programa dentro de un subprocedimiento o función. Se pueden usar bucles para repetir partes de un programa tantas veces como sea necesario o hasta que se cumpla alguna condición. Este tipo de instrucciones de control se clasifican como instrucciones de Condición, Bucle o Salto.
Dibuja una línea que acaba en un cuadro de llamada rectangular, con dirección de escritura vertical a partir del lugar del que se arrastra, en el documento actual. Para cambiar el tamaño de la llamada, tire de una de sus agarraderas. Para añadir texto, pulse sobre el borde de la llamada y escriba o pegue el texto. Para cambiar una llamada rectangular por una redondeada, arrastre la agarradera de la esquina de mayor tamaño cuando el puntero adquiera la forma de una mano. La opción solo está disponible cuando se activa la compatibilidad con idiomas asiáticos.
Para abrir el Navegador, vaya a Ver ▸ Navegador (F5). Para moverlo de sitio, arrastre su barra de título. Para anclarlo, arrastre su barra de título hacia el borde izquierdo, derecho o inferior del área de trabajo. Para desanclarlo, mantenga presionada la tecla Ctrl y pulse dos veces sobre una zona gris del Navegador.
Si recibe por otros medios una clave privada o transfiere esta desde otro equipo, puede instalarla en su equipo Windows pulsando dos veces en el certificado de la clave privada y proporcionando la contraseña que se solicite, si la hubiese. Es posible que otras personas conozcan esta clave privada (por ejemplo, la administración de seguridad de una organización o un organismo gubernamental), en función de cómo la hayan emitido para usted.
Este asistente le ayudará a importar Cuentas desde un fichero. El fichero debe estar en el mismo formato que esa exportó como éste es un formato fijado de importación el cual puede ser visto buscando un fichero creado por medio de la opción del menú de exportación «Exportar Árbol de Cuentas a CVS». Si falta la cuenta, basada en el nombre completo de la cuenta, será añadido tan largo como la especificación de garantía / moneda especificada exista. Si la cuenta existe, entonces se actualizarán cuatro campos. Hay código, descripción, anotaciones y color. Pulse en «Siguiente» para proceder o «Cancelar» para ‘Interrumpir Importación’.
Para las lenguas asiáticas: ConsulteDistingue mayúsculas y minúsculaspara aplicar intercalación multinivel. Con la intercalación multinivel, las entradas se comparan primero en sus formas primitivas con sus mayúsculas y minúsculas y se ignoran los signos diacríticos. Si se evalúan como iguales, sus signos diacríticos se tienen en cuenta para la comparación de segundo nivel. Si todavía se evalúan como iguales, sus letras mayúsculas y minúsculas, el ancho de los caracteres y la diferencia de Kana japonés se consideran para la comparación de tercer nivel.
Basado en apertura, mínimo, máximo, y cierre la columna Tipo 2 genera el tradicional gráfico de velas. Tipo 2 traza la línea vertical entre el precio mínimo y el máximo, y superpone un rectángulo, el cual marca el rango entre el precio de apertura y el de cierre. Si hace clic en el rectángulo verá más información en la barra de estado. LibreOffice utilizas diferentes colores de relleno para los valores crecientes (el precio de apertura es menor que el precio de cierre), y los valores en caída.
Utilice el botón «Buscar todo» del cuadro de diálogo Buscar y reemplazar para resaltar todos los sitios donde aparece una palabra. Luego, puede abrir el cuadro de diálogo Insertar entrada de índice para añadir esa palabra y colocarla en el índice alfabético. Entretanto, si necesita el mismo conjunto de índices alfabéticos en diversos documentos, el archivo de concordancia permite introducir cada palabra una sola vez y después usar la lista muchas veces.
El asistente ha producido un error al preparar el ejercicio. No es posible ejecutar este ejercicio. Lo más probable es que su banco no soporte el operador que ha elegido o que su cuenta de Conexión Bancaria no tenga permisos para ejecutar este ejercicio. Puede que pueda consultar más mensajes de error en su bitácora de consola. ¿Quiere introducir el ejercicio otra vez?
Calcula el valor de probabilidad para el chi cuadrado en el que se confirma una hipótesis. DISTR.CHICUAD.CD compara el valor chi cuadrado de una muestra aleatoria, que se calcula a partir de la suma de (valor observado-valor previsto)^2/valor previsto para todos los valores con la distribución chi cuadrado teórica y determina así las probabilidad de error de la hipótesis que se está comprobando.
Convierte un valor de una unidad de medida al valor correspondiente en otra unidad de medida. Introduce las unidades de medida directamente como texto entre comillas o como referencia. Las unidades de medida especificadas a través de los argumentos deben coincidir con los símbolos de unidad admitidos, que distinguen entre mayúsculas y minúsculas. Por ejemplo, el símbolo de la unidad "newton" es la "N" mayúscula.
Si ha definido un formato condicional en un intervalo de celdas y ahora intenta definir un nuevo formato condicional en una parte de este intervalo, se mostrará un mensaje de advertencia que le preguntará si desea editar el formato condicional existente (en todo el intervalo) o definir un nuevo formato condicional superpuesto (en el intervalo seleccionado).
Configura el nivel máximo de precisión de la ubicación que las aplicaciones pueden ver. Las opciones válidas son «country», «city», «neighborhood», «street», and «exact» (normalmente necesita un receptor GPS). Tenga en cuenta que esto sólo controla lo que GeoClue permitirá ver a las aplicaciones y lo que pueden averiguar sobre la ubicación del usuario con sus propios recursos de red (aunque con una precisión a nivel de calle en el mejor de los casos).
Se ignora el resto de la cadena. Si la cadena no se reconoce, p. ej., cuando después de retirar el espacio en blanco al principio no empieza por «+», «−», una cifra decimal o «&», o bien, cuando la secuencia después de «&O» supera los 11 caracteres o contiene un carácter alfabético, el valor numérico de la expresión será de 0.
Es posible indicar qué opciones se importan o exportan con un documento de texto, como el tipo de letra básico, el idioma, el conjunto de caracteres o los saltos de línea. La ventana aparece al cargar un archivo ASCII con el filtro «Texto codificado», al guardar el documento por primera vez o al guardarlo con otro nombre.
