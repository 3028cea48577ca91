set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'
set datafile missing '?'
set grid
set key top right
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set output 'coldwarm.en.svg'
set title 'Serverless: cold and warm requests'
set ytics ("0.1" 0.1, "1" 1, "10" 10, "100" 100)
set ylabel 'ms'
set logscale y
set style fill solid 0.85 border -1
set boxwidth 0.6
set xrange [-0.6:2.6]
unset key
set xtics ('cold (exec)' 0, 'cold (fork-server)' 1, 'warm' 2)
plot 'coldwarm.dat' using 1:2 with boxes lc rgb '#2ca02c'
